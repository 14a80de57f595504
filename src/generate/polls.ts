// Polls as the Messages Polls app (iOS 26 / macOS 26) stores them: the poll, an app balloon whose layout's
// URL is `data:,<base64 JSON>?src=p&c=<options>` listing its options; its question as a message of its own;
// an option someone adds later as a new version of the poll (associated_message_type 2, aimed at it); each
// voter's current votes as one message (associated_message_type 4000, aimed at it: `p:0/GUID` or the bare
// GUID), an earlier vote message of theirs deleted when they change their vote.
import type { Random } from './random.js';
import type { ChatInfo, Member } from './people.js';

export const POLLS_BUNDLE = 'com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.messages.Polls';
/** What the owner's own address is in a poll's JSON. */
const OWNER_ADDRESS = 'owner@example.com';

const QUESTIONS: { question: string; options: string[]; added: string }[] = [
  { question: 'Where should we eat on Friday?', options: ['Pizza 🍕', 'Tacos', 'Sushi'], added: 'Ramen' },
  { question: 'Which weekend works for the trip?', options: ['May 3–4', 'May 10–11', 'May 17–18'], added: 'June 7–8' },
  { question: 'Next book?', options: ['Middlemarch', '百年孤独', 'Das Parfum'], added: 'The Overstory' },
];

/** Someone of a poll: the owner (no member) or a member of its chat. */
export interface Pollster {
  member?: Member;
}

export interface PollPlan {
  chat: ChatInfo;
  question: string;
  creator: Pollster;
  options: { id: string; text: string; creator: Pollster }[];
  /** Someone adds this option after the poll is sent. */
  added?: { id: string; text: string; creator: Pollster };
  /** Each voter's options, in voting order; `changed` voters first voted for `before`. */
  votes: { voter: Pollster; choices: string[]; before?: string[] }[];
}

/** Rows a poll takes: itself, its question, an option added, a vote message per voter. */
export function pollRows(plan: PollPlan): number {
  return 2 + (plan.added ? 1 : 0) + plan.votes.length;
}

/**
 * Up to three polls in the group iMessage chats, in as many rows as `budget` allows (none in a sample too
 * small for one). Drawn from their own Random: the rest of the sample stays as it was without them.
 */
export function planPolls(random: Random, chats: ChatInfo[], budget: number): PollPlan[] {
  const groups = chats.filter((c) => c.isGroup && c.service === 'iMessage');
  const plans: PollPlan[] = [];
  let rows = 0;
  for (let k = 0; k < QUESTIONS.length && groups.length > 0; k++) {
    const plan = planPoll(random, groups[k % groups.length]!, k);
    if (rows + pollRows(plan) > budget) break;
    rows += pollRows(plan);
    plans.push(plan);
  }
  return plans;
}

function planPoll(random: Random, chat: ChatInfo, k: number): PollPlan {
  const { question, options, added } = QUESTIONS[k]!;
  const everyone: Pollster[] = [{}, ...chat.members.map((member) => ({ member }))];
  const creator: Pollster = k === 0 ? {} : random.pick(chat.members.map((member) => ({ member })));
  const planned = options.map((text) => ({ id: random.guid(), text, creator }));
  const adder = everyone.find((p) => p.member !== creator.member) ?? creator;
  const extra = k !== 1 ? { id: random.guid(), text: added, creator: adder } : undefined;
  const ids = [...planned, ...(extra ? [extra] : [])].map((o) => o.id);
  const votes = everyone.filter(() => random.chance(0.85)).map((voter, i) => {
    // The first voter picks two options; the second changed their mind once.
    const choices = i === 0 ? [ids[0]!, ids[ids.length - 1]!] : [random.pick(ids)];
    return { voter, choices, before: i === 1 ? [ids.find((id) => id !== choices[0])!] : undefined };
  });
  return { chat, question, creator, options: planned, added: extra, votes };
}

export function address(p: Pollster): string {
  return p.member?.handle ?? OWNER_ADDRESS;
}

/** The JSON of a poll with these options. */
export function pollJson(plan: PollPlan, options: PollPlan['options']): object {
  return {
    version: 1,
    item: {
      title: '',
      creatorHandle: address(plan.creator),
      orderedPollOptions: options.map((o) => ({ optionIdentifier: o.id, text: o.text, attributedText: o.text, creatorHandle: address(o.creator), canBeEdited: false })),
    },
  };
}

/** The JSON of a vote message: every option its sender votes for, each with its time in seconds since 2001. */
export function voteJson(voter: Pollster, choices: string[], seconds: number): object {
  return { version: 1, item: { votes: choices.map((id) => ({ participantHandle: address(voter), voteOptionIdentifier: id, serverVoteTime: seconds })) } };
}
