// The cast and the chats: fictional people (+1 555 555 01xx numbers, example.com addresses),
// their handle rows, 1:1 chats over iMessage, SMS and RCS, and named and unnamed group chats.
import type { Random } from './random.js';
import type { ChatDbWriter } from './db-writer.js';

const FIRST_NAMES = [
  'Alice', 'Bruno', 'Chiara', 'Dmitri', 'Eitan', 'Fatima', 'Grace', 'Hiroshi', 'Ingrid', 'Jamal', 'Katya',
  'Liam', 'Mei', 'Noor', 'Oscar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tomás', 'Uma', 'Viktor', 'Wen', 'Yara',
];

const GROUP_NAMES = ['Family 🏡', 'Book club', 'Трип 2019 ✈️', 'צוות עבודה', 'Hiking crew', '旅行计划', 'Roommates'];

export type Service = 'iMessage' | 'SMS' | 'RCS';

export interface Member {
  handleRowId: number;
  /** The handle as stored in handle.id (E.164 phone or email). */
  handle: string;
  name: string;
}

export interface ChatInfo {
  rowId: number;
  guid: string;
  identifier: string;
  service: Service;
  isGroup: boolean;
  /** Group name; empty for 1:1 chats and unnamed groups. */
  displayName: string;
  roomName: string | null;
  members: Member[];
}

interface Person {
  name: string;
  phone: string;
  email: string;
}

function people(count: number): Person[] {
  return Array.from({ length: count }, (_, i) => {
    const base = FIRST_NAMES[i % FIRST_NAMES.length];
    const name = i < FIRST_NAMES.length ? base : `${base} ${Math.floor(i / FIRST_NAMES.length) + 1}`;
    const local = `${base.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase()}${i}`;
    return { name, phone: `+1555555${String(100 + i).padStart(4, '0')}`, email: `${local}@example.com` };
  });
}

interface ChatPlan {
  service: Service;
  /** Indexes into the people list; one entry for a 1:1 chat. */
  members: number[];
  useEmail?: boolean;
  groupName?: string;
}

/** The fixed opening plans cover every chat kind; further chats alternate 1:1s and groups. */
function chatPlans(conversations: number, personCount: number, random: Random): ChatPlan[] {
  const plans: ChatPlan[] = [
    { service: 'iMessage', members: [0] },
    { service: 'SMS', members: [0] }, // the same person over SMS
    { service: 'RCS', members: [1] },
    { service: 'iMessage', members: [2], useEmail: true },
    { service: 'iMessage', members: [0, 2, 3, 4], groupName: GROUP_NAMES[0] },
    { service: 'iMessage', members: [1, 3, 5] },
  ];
  let nextPerson = 6;
  let nextGroupName = 1;
  while (plans.length < conversations) {
    if (plans.length % 4 === 2) {
      const size = random.int(3, 6);
      const members = Array.from({ length: size }, () => random.int(0, personCount - 1));
      const unique = [...new Set(members)];
      const named = random.chance(0.7);
      plans.push({
        service: 'iMessage',
        members: unique.length > 1 ? unique : [0, 1],
        groupName: named ? GROUP_NAMES[nextGroupName++ % GROUP_NAMES.length] : undefined,
      });
    } else {
      const person = nextPerson++ % personCount;
      const service = random.weighted({ iMessage: 70, SMS: 20, RCS: 10 });
      plans.push({ service, members: [person], useEmail: service === 'iMessage' && random.chance(0.2) });
    }
  }
  return plans.slice(0, Math.max(1, conversations));
}

export const OWNER_ACCOUNT = 'E:owner@example.com';

export function createChats(
  writer: ChatDbWriter,
  random: Random,
  options: { conversations: number; singleConversation: boolean },
): ChatInfo[] {
  const plans = options.singleConversation
    ? [{ service: 'iMessage' as const, members: [0] }]
    : chatPlans(options.conversations, Math.max(8, options.conversations + 3), random);
  const cast = people(Math.max(8, options.conversations + 3));
  const handles = new Map<string, number>();
  const handleFor = (id: string, service: Service): number => {
    const key = `${service}|${id}`;
    let rowId = handles.get(key);
    if (rowId === undefined) {
      rowId = writer.addHandle({ id, country: id.startsWith('+') ? 'us' : null, service, uncanonicalized_id: null });
      handles.set(key, rowId);
    }
    return rowId;
  };

  return plans.map((plan, index) => {
    const members = plan.members.map((p) => {
      const person = cast[p];
      const handle = plan.useEmail && plan.members.length === 1 ? person.email : person.phone;
      return { handleRowId: handleFor(handle, plan.service), handle, name: person.name };
    });
    const isGroup = members.length > 1;
    const identifier = isGroup ? `chat${String(100000000000 + index * 7919)}` : members[0].handle;
    const guid = `${plan.service};${isGroup ? '+' : '-'};${identifier}`;
    const displayName = plan.groupName ?? '';
    const rowId = writer.addChat(
      {
        guid,
        style: isGroup ? 43 : 45,
        state: 3,
        account_id: random.guid(),
        chat_identifier: identifier,
        service_name: plan.service,
        room_name: isGroup ? identifier : null,
        account_login: OWNER_ACCOUNT,
        display_name: displayName,
        group_id: random.guid(),
        is_filtered: 0,
        successful_query: 1,
        last_read_message_timestamp: 0,
      },
      members.map((m) => m.handleRowId),
    );
    return { rowId, guid, identifier, service: plan.service, isGroup, displayName, roomName: isGroup ? identifier : null, members };
  });
}
