// Counts of everything a generation run wrote, returned to tests and the benchmark so they can
// check the reader's output against what is really in the database.
import type { Row } from './db-writer.js';
import type { MediaKind } from './media-pool.js';
import type { ChatInfo } from './people.js';
import { SCRIPTS, type Script } from './content.js';

export interface ConversationSummary {
  chatRowId: number;
  guid: string;
  chatIdentifier: string;
  service: string;
  isGroup: boolean;
  displayName: string;
  /** Handles of everyone but the owner. */
  participants: string[];
  /** Rows joined to the chat, tapbacks included. */
  rows: number;
  /** Rows a reader shows: everything but tapbacks and poll votes and versions (group events included). */
  visibleMessages: number;
  tapbacks: number;
  groupEvents: number;
  attachments: number;
}

const COUNTERS = [
  'messages', 'visibleMessages', 'textNull', 'attributedBodyOnly', 'textAndAttributedBody', 'textOnly', 'noBody',
  'tapbacks', 'tapbackRemovals', 'emojiTapbacks', 'stickerTapbacks', 'replies', 'edited', 'unsent', 'attachments',
  'missingAttachments', 'images', 'heicImages', 'livePhotos', 'audioMessages', 'videos', 'documents', 'stickers', 'urlPreviews', 'digitalTouches',
  'links', 'mentions', 'styled', 'textEffects', 'expressiveEffects', 'longMessages', 'multiLine', 'multiPart',
  'groupEvents', 'membersAdded', 'membersRemoved', 'renames', 'membersLeft', 'photosChanged', 'photosRemoved',
  'polls', 'pollVotes', 'pollOptionsAdded', 'junk', 'satellite',
] as const;

export type Counter = (typeof COUNTERS)[number];

export type GeneratedSummary = Record<Counter, number> & {
  /** associated_message_type → number of rows. */
  tapbackTypes: Record<number, number>;
  conversations: ConversationSummary[];
};

const ATTACHMENT_COUNTERS: Record<MediaKind, Counter> = {
  image: 'images', heic: 'heicImages', audio: 'audioMessages', video: 'videos', document: 'documents', text: 'documents',
  sticker: 'stickers',
};

const EVENT_COUNTERS: Record<string, Counter> = {
  memberAdded: 'membersAdded', memberRemoved: 'membersRemoved', renamed: 'renames', memberLeft: 'membersLeft',
  photoChanged: 'photosChanged', photoRemoved: 'photosRemoved',
};

export class FeatureCounts {
  private readonly counts = new Map<Counter, number>(COUNTERS.map((c) => [c, 0]));
  private readonly tapbackTypes: Record<number, number> = {};
  private readonly conversations = new Map<number, ConversationSummary>();
  private scriptTurn = 0;

  constructor(chats: readonly ChatInfo[]) {
    for (const chat of chats) {
      this.conversations.set(chat.rowId, {
        chatRowId: chat.rowId, guid: chat.guid, chatIdentifier: chat.identifier, service: chat.service,
        isGroup: chat.isGroup, displayName: chat.displayName, participants: chat.members.map((m) => m.handle),
        rows: 0, visibleMessages: 0, tapbacks: 0, groupEvents: 0, attachments: 0,
      });
    }
  }

  add(counter: Counter, by = 1): void {
    this.counts.set(counter, this.get(counter) + by);
  }

  get(counter: Counter): number {
    return this.counts.get(counter) ?? 0;
  }

  nextScript(): Script {
    const scripts = Object.keys(SCRIPTS) as Script[];
    return scripts[this.scriptTurn++ % scripts.length];
  }

  message(chat: ChatInfo, row: Row): void {
    const conversation = this.conversations.get(chat.rowId)!;
    conversation.rows++;
    this.add('messages');
    const isTapback = Number(row.associated_message_type ?? 0) !== 0;
    if (isTapback) conversation.tapbacks++;
    else {
      conversation.visibleMessages++;
      this.add('visibleMessages');
    }
    if (Number(row.item_type ?? 0) !== 0) conversation.groupEvents++;
    if (Number(row.cache_has_attachments ?? 0) !== 0) conversation.attachments++;
    const hasText = row.text != null;
    const hasBody = row.attributedBody != null;
    if (!hasText) this.add('textNull');
    this.add(hasText ? (hasBody ? 'textAndAttributedBody' : 'textOnly') : hasBody ? 'attributedBodyOnly' : 'noBody');
  }

  attachment(kind: MediaKind, missing: boolean): void {
    this.add('attachments');
    if (missing) this.add('missingAttachments');
    this.add(ATTACHMENT_COUNTERS[kind]);
  }

  tapback(type: number): void {
    this.tapbackTypes[type] = (this.tapbackTypes[type] ?? 0) + 1;
    if (type >= 3000) this.add('tapbackRemovals');
    else this.add('tapbacks');
    if (type === 2006) this.add('emojiTapbacks');
    if (type === 2007) this.add('stickerTapbacks');
  }

  groupEvent(kind: string): void {
    this.add('groupEvents');
    this.add(EVENT_COUNTERS[kind]);
  }

  summary(): GeneratedSummary {
    return {
      ...(Object.fromEntries(this.counts) as Record<Counter, number>),
      tapbackTypes: { ...this.tapbackTypes },
      conversations: [...this.conversations.values()],
    };
  }
}
