import type { Conversation, Person } from '../model/types.js';
import type { ChatRow } from '../read/rows.js';
import type { Contacts, PeopleDirectory } from './people.js';
import { membershipChange } from './events.js';
import { appleDate } from './dates.js';
import { numbersOnce } from '../model/people.js';

/** A change of someone's membership of a group: what it was, and when (ms since 1970; none: the row has no usable date). */
interface MembershipChange {
  change: NonNullable<ReturnType<typeof membershipChange>>;
  at?: number;
}

/** A conversation and the chat rows it is read from (none: the messages that belong to no chat). */
export interface ConversationPlan {
  /** Conversations with the same key are the same thread (across chat rows and across sources). */
  key: string;
  conversation: Conversation;
  chatIds: number[];
  /** The guids of its chat rows (`iMessage;+;chat100000031676`). */
  chatGuids: string[];
}

/** Each group chat's last change of each handle's membership, by the chat's ROWID then the handle's (see `lastMembershipChanges`). */
export type MembershipChanges = Map<number, Map<number, MembershipChange>>;

/** The chat rows of one thread, with who took part and who left. */
interface ChatsOfOne {
  chats: ChatRow[];
  participants: Person[];
  former: Person[];
}

/**
 * One conversation per person for one-to-one chats — Messages keeps a chat row per service (SMS,
 * iMessage, RCS) and per handle (phone, email) of one person, but shows one thread — and one per
 * group, groups being the same when their participants and name are. Who is no longer in a group is
 * marked as having left or been removed when that was the last change of their membership (`changes`).
 */
export function planConversations(chats: ChatRow[], people: PeopleDirectory, contacts: Contacts, changes: MembershipChanges = new Map()): ConversationPlan[] {
  const byKey = new Map<string, ChatsOfOne>();
  for (const chat of chats) {
    const chatChanges = changes.get(chat.rowId);
    const peopleOf = (ids: number[]) => changedPeople(ids, people, chatChanges);
    // chat_handle_join has no dates, and Messages deletes a row when its handle leaves (the schema's trigger
    // after_delete_on_chat_handle_join), yet a device may keep one it missed the leaving of. A listed handle whose
    // newest membership event says it left or was removed, with no later "added", is shown as a former member; the
    // key and title stay chat_handle_join's, which no purge of old messages or damaged page changes from run to run.
    const handles = peopleOf(chat.handleIds);
    const former = peopleOf([...chat.handleIds.filter((id) => isGone(chatChanges?.get(id))), ...chat.formerHandleIds]);
    const participants = uniquePeople(handles, contacts);
    const isGroup = chat.style === 43 || participants.length > 1;
    const keys = participants.map((p) => contacts.personKey(p.handle)).sort();
    const key = isGroup ? `group:${keys.join(',')}|${chat.displayName ?? ''}` : `person:${keys[0] ?? chat.identifier}`;
    const entry = byKey.get(key) ?? { chats: [], participants, former: [] };
    entry.chats.push(chat);
    entry.participants = withOtherHandles(entry.participants, [...handles, ...former], contacts);
    entry.former.push(...former);
    byKey.set(key, entry);
  }
  return [...byKey].map(([key, entry]) => conversationPlan(key, entry, contacts));
}

/** A conversation of the chats that are one thread: its title, members (current, then former) and services. */
function conversationPlan(key: string, { chats: group, participants: members, former }: ChatsOfOne, contacts: Contacts): ConversationPlan {
  const first = group[0]!;
  const groupName = group.map((c) => c.displayName).find((name) => name) ?? undefined;
  const isGroup = first.style === 43 || members.length > 1;
  // Who left, was removed, or wrote without being a member still took part: after the members, in no title (but
  // one still listed: see above).
  const gone = new Set(former.filter((p) => p.former).map((p) => contacts.personKey(p.handle)));
  const current = members.filter((p) => !gone.has(contacts.personKey(p.handle)));
  const participants = withOtherHandles(uniquePeople([...current, ...former], contacts), former, contacts).map((p) => numbersOnce(p, (h) => contacts.normalize(h)));
  return {
    key,
    chatIds: group.map((c) => c.rowId),
    chatGuids: group.map((c) => c.guid),
    conversation: {
      id: first.guid,
      chatIds: group.map((c) => c.rowId),
      chatIdentifiers: [...new Set(group.map((c) => c.identifier).filter(Boolean))],
      title: groupName ?? (members.length > 0 ? members.map((p) => p.name).join(', ') : first.identifier || first.guid),
      groupName,
      isGroup,
      services: [...new Set(group.map((c) => c.serviceName).filter(Boolean))],
      participants,
      messageCount: 0,
    },
  };
}

/**
 * The people of a group's chat row (by their handles' ROWIDs), each with when their membership last changed: marked
 * as having left or been removed when that was the change (someone added back since is no former member).
 */
function changedPeople(ids: number[], people: PeopleDirectory, changes: Map<number, MembershipChange> | undefined): Person[] {
  return ids.flatMap((id) => {
    const person = people.byId(id);
    const last = changes?.get(id);
    if (!person) return [];
    if (!last) return [person];
    return [{ ...person, ...(isGone(last) && { former: last.change }), ...(last.at !== undefined && { changedAt: last.at }) }];
  });
}

function isGone(last: MembershipChange | undefined): last is MembershipChange & { change: 'left' | 'removed' } {
  return last?.change === 'left' || last?.change === 'removed';
}

/**
 * Each group chat's last change of each handle's membership, from its membership rows (see
 * `GroupActivity.memberships`: chat, handle, item_type, group_action_type, when), whatever their order.
 */
export function lastMembershipChanges(rows: [number, number, number, number, number][]): MembershipChanges {
  const byChat: MembershipChanges = new Map();
  for (const [chat, handle, itemType, groupActionType, when] of [...rows].sort((a, b) => a[4] - b[4])) {
    const change = membershipChange({ itemType, groupActionType });
    if (!change || handle === 0) continue;
    const changes = byChat.get(chat) ?? new Map<number, MembershipChange>();
    changes.set(handle, { change, at: appleDate(when)?.getTime() });
    byChat.set(chat, changes);
  }
  return byChat;
}

/** The key an earlier run's store keeps the conversation of these chats (by GUID) under; undefined: none. */
export type StoredKey = (chatGuids: string[]) => string | undefined;

/**
 * Conversations an archive's store already has, or a source read before in the run, keep the key they have
 * them under, so that a group renamed or joined by someone, or a person whose phone and email new contacts
 * join, stays the conversation it was (its messages, marks and files) rather than becoming a new one beside
 * an old one whose messages seem gone. A stored key goes to the first plan that has one of its chats; a plan
 * whose stored key is then taken is `parted` from the one that took it, and a plan whose own key is taken gets
 * one of its own.
 */
export function withStoredKeys(plans: ConversationPlan[], storedKey: StoredKey, parted: (plan: ConversationPlan, from: ConversationPlan) => void = () => {}): ConversationPlan[] {
  const taken = new Map<string, ConversationPlan>();
  const adopted = plans.map((plan) => {
    const stored = plan.chatGuids.length > 0 ? storedKey(plan.chatGuids) : undefined;
    if (stored === undefined) return undefined;
    const holder = taken.get(stored);
    if (holder) {
      parted(plan, holder);
      return undefined;
    }
    taken.set(stored, plan);
    return { ...plan, key: stored };
  });
  return plans.map((plan, i) => adopted[i] ?? (taken.has(plan.key) ? { ...plan, key: `${plan.key}|${plan.chatGuids[0]}` } : plan));
}

/**
 * The key most of these chats (by GUID) have among the conversations of the sources read before in the run
 * (`earlier`, planned when first asked), else the store's: a group renamed on one device only is one
 * conversation with the others' in one run too, as it is in runs of their own.
 */
export function plannedKeys(earlier: () => ConversationPlan[], stored?: StoredKey): StoredKey {
  let keyOf: Map<string, string> | undefined;
  return (guids) => {
    keyOf ??= new Map(earlier().flatMap((plan) => plan.chatGuids.map((guid): [string, string] => [guid, plan.key])));
    return mostCommon(guids.flatMap((guid) => keyOf!.get(guid) ?? [])) ?? stored?.(guids);
  };
}

/**
 * The id of a conversation several sources have, each giving the GUID of one of its chat rows: the one most of them
 * give, of those given as often the first in character order, so that the order they are read in changes nothing.
 */
export function conversationId(ids: string[]): string {
  return mostCommon([...ids].sort())!;
}

/** The key given most often (the first of those given as often); undefined: none. */
export function mostCommon(keys: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  let best: string | undefined;
  for (const [key, n] of counts) if (best === undefined || n > counts.get(best)!) best = key;
  return best;
}

/** One Person per person: a phone and an email of one contact count once. */
function uniquePeople(people: Person[], contacts: Contacts): Person[] {
  const seen = new Set<string>();
  return people.filter((p) => {
    const key = contacts.personKey(p.handle);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The participants, each with the handles of theirs among `handles` that it is not (a contact's phone and
 * email, one chat row each, make one conversation): copies, as the directory's people are shared.
 */
function withOtherHandles(participants: Person[], handles: Person[], contacts: Contacts): Person[] {
  return participants.map((p) => {
    const key = contacts.personKey(p.handle);
    const known = new Set([p.handle, ...(p.otherHandles ?? [])]);
    const more = handles.filter((h) => !known.has(h.handle) && contacts.personKey(h.handle) === key).map((h) => h.handle);
    return more.length === 0 ? p : { ...p, otherHandles: [...(p.otherHandles ?? []), ...more] };
  });
}

/** The key of the conversation holding messages that no chat row claims. */
export const ORPHANS_KEY = 'orphans';

/** The conversation holding messages that no chat row claims (they would otherwise be lost). */
export function orphanPlan(): ConversationPlan {
  return {
    key: ORPHANS_KEY,
    chatIds: [],
    chatGuids: [],
    conversation: {
      id: 'messages-without-conversation',
      chatIds: [],
      title: 'Messages without a conversation',
      isGroup: false,
      services: [],
      participants: [],
      messageCount: 0,
    },
  };
}
