import type { Conversation, Person } from '../model/types.js';
import type { ChatRow } from '../read/rows.js';
import type { PeopleDirectory } from './people.js';
import { appleDate } from './dates.js';

/** A conversation and the chat rows it is read from (none: the messages that belong to no chat). */
export interface ConversationPlan {
  conversation: Conversation;
  chatIds: number[];
}

export interface ChatStats {
  count: number;
  first: number;
  last: number;
}

/**
 * One conversation per group chat, and one per person for one-to-one chats: Messages keeps a
 * separate chat row for each service (SMS, iMessage, RCS) with the same person, but shows one thread.
 */
export function planConversations(chats: ChatRow[], stats: Map<number, ChatStats>, people: PeopleDirectory): ConversationPlan[] {
  const byKey = new Map<string, { chats: ChatRow[]; participants: Person[] }>();
  for (const chat of chats) {
    const participants = chat.handleIds.map((id) => people.byId(id)).filter((p): p is Person => p !== undefined);
    const isGroup = chat.style === 43 || participants.length > 1;
    const key = isGroup ? `group:${chat.guid}` : `person:${participants[0]?.handle ?? chat.identifier}`;
    const entry = byKey.get(key) ?? { chats: [], participants };
    entry.chats.push(chat);
    byKey.set(key, entry);
  }
  const plans: ConversationPlan[] = [];
  for (const { chats: group, participants } of byKey.values()) {
    const counted = group.map((c) => stats.get(c.rowId)).filter((s): s is ChatStats => s !== undefined);
    const messageCount = counted.reduce((sum, s) => sum + s.count, 0);
    if (messageCount === 0) continue;
    const first = group[0]!;
    const groupName = group.map((c) => c.displayName).find((name) => name) ?? undefined;
    const isGroup = first.style === 43 || participants.length > 1;
    plans.push({
      chatIds: group.map((c) => c.rowId),
      conversation: {
        id: first.guid,
        chatIds: group.map((c) => c.rowId),
        title: groupName ?? (participants.length > 0 ? participants.map((p) => p.name).join(', ') : first.identifier || first.guid),
        groupName,
        isGroup,
        services: [...new Set(group.map((c) => c.serviceName).filter(Boolean))],
        participants,
        messageCount,
        firstDate: appleDate(Math.min(...counted.map((s) => s.first))),
        lastDate: appleDate(Math.max(...counted.map((s) => s.last))),
      },
    });
  }
  return plans.sort((a, b) => (b.conversation.lastDate?.getTime() ?? 0) - (a.conversation.lastDate?.getTime() ?? 0));
}

/** The conversation holding messages that no chat row claims (they would otherwise be lost). */
export function orphanPlan(count: number, first: number, last: number): ConversationPlan {
  return {
    chatIds: [],
    conversation: {
      id: 'messages-without-conversation',
      chatIds: [],
      title: 'Messages without a conversation',
      isGroup: false,
      services: [],
      participants: [],
      messageCount: count,
      firstDate: appleDate(first),
      lastDate: appleDate(last),
    },
  };
}

/**
 * Whether a conversation matches one of the `--chat` terms: a phone number (any formatting),
 * an email, a chat name or a participant's name (case-insensitive substring).
 */
export function matchesChat(plan: ConversationPlan, chats: Map<number, ChatRow>, terms: string[]): boolean {
  const conversation = plan.conversation;
  const identifiers = plan.chatIds.map((id) => chats.get(id)?.identifier ?? '');
  const handles = [...conversation.participants.map((p) => p.handle), ...identifiers];
  const names = [conversation.title, ...conversation.participants.map((p) => p.name)].map((n) => n.toLowerCase());
  return terms.some((raw) => {
    const term = raw.trim().toLowerCase();
    if (!term) return false;
    if (handles.some((h) => h.toLowerCase() === term || samePhone(h, term))) return true;
    return names.some((name) => name.includes(term));
  });
}

function samePhone(a: string, b: string): boolean {
  if (/[a-z@]/i.test(a) || /[a-z@]/i.test(b)) return false;
  const da = a.replace(/\D/g, '');
  const db = b.replace(/\D/g, '');
  if (da.length < 7 || db.length < 7) return false;
  return da.endsWith(db) || db.endsWith(da);
}
