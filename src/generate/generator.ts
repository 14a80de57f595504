// Writes a synthetic but realistic chat.db (and its Attachments folder) covering every feature the
// reader and normalizer handle. Deterministic: the same options give a byte-identical database.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createSchema } from './schema.js';
import { Random } from './random.js';
import { ChatDbWriter, type Row } from './db-writer.js';
import { createChats, OWNER_ACCOUNT, type ChatInfo, type Member } from './people.js';
import { encodeBody, OBJECT_REPLACEMENT, type BodyRun } from './attributed-body.js';
import { appleNanoseconds, appleSeconds, appleSecondsFloat, later, type Moment } from './apple-time.js';
import {
  effectRuns, linkRuns, longText, mentionRuns, multiLineText, plainText, SCRIPTS, SITE_PREVIEWS, styledRuns, TAPBACK_EMOJI,
  TAPBACK_VERBS,
} from './content.js';
import {
  EXPRESSIVE_EFFECTS, GROUP_ONLY, IMAGE_KINDS, IMESSAGE_ONLY, MANDATORY, MODERN_ONLY, RANDOM_WEIGHTS, TEXT_KINDS, type Kind,
} from './features.js';
import { encodeSummaryInfo, type PartVersion } from './summary-info.js';
import { encodePollLayout, encodeRichLink } from './keyed-archive.js';
import { planPolls, pollJson, pollRows, POLLS_BUNDLE, voteJson, type PollPlan, type Pollster } from './polls.js';
import { encodeDigitalTouch, TOUCH_KINDS } from './digital-touch.js';
import * as plist from 'plist';
import { MediaPool, type MediaKind, type PoolFile, type StickerOrigin } from './media-pool.js';
import { FeatureCounts, type GeneratedSummary } from './summary.js';
import { claimOutput, GENERATED_APPLICATION_ID } from './output-guard.js';

export interface GenerateOptions {
  path: string;
  /** Where attachment files go; default: an `Attachments` folder beside the database. */
  attachmentsDir?: string;
  messages: number;
  seed: number;
  /** Older macOS layout: no edit/reply/emoji-tapback columns, dates in seconds since 2001. */
  legacySchema?: boolean;
  conversations?: number;
  /** One big 1:1 conversation (the PDF benchmark). */
  singleConversation?: boolean;
  /** Exact number of image messages, spread evenly; otherwise images come at random. */
  images?: number;
  /**
   * Every HEIC photo on disk is a Live Photo: a movie (the pool's video) beside it under its name with `.MOV`, as
   * Messages on a Mac keeps one, with no row of its own. Nothing else changes: the database is the same.
   */
  livePhotos?: boolean;
  /**
   * Of the attachments left without their file, this share (0 to 1, spread evenly; default none) is offloaded to
   * iCloud: its row as Messages marks a purged one (transfer_state 0, ck_sync_state 1, a CloudKit record id). The
   * rest are missing with nothing saying why, as before.
   */
  iCloudOnly?: number;
}

const TIMELINE_START = Date.UTC(2015, 0, 1);
/** Mixed into the seed for the polls' own Random ("poll"). */
const POLL_SEED = 0x706f6c6c;
const TIMELINE_END = Date.UTC(2025, 0, 1);

interface Sender {
  fromMe: boolean;
  member?: Member;
}

/** A message later messages can react to or reply to. */
interface Target {
  guid: string;
  /** UTF-16 [offset, length] of each part. */
  parts: Array<[number, number]>;
  snippet: string;
  isBalloon: boolean;
  /** handle_id of whoever sent it (0 for the owner). */
  author: number;
  /** Newest message in the reply thread started by this one. */
  threadLast?: string;
}

interface ActiveTapback {
  target: Target;
  part: number;
  type: number;
  sender: Sender;
  emoji?: string;
}

interface ChatState {
  info: ChatInfo;
  recent: Target[];
  tapbacks: ActiveTapback[];
  lastGuid?: string;
}

const RECENT_LIMIT = 24;

/** What chat.db names iMessage and SMS sent or received over satellite, and from when (iOS 18). */
const SATELLITE_SERVICES: Partial<Record<string, string>> = { iMessage: 'iMessageLite', SMS: 'SatelliteSMS' };
const SATELLITE_SINCE = Date.UTC(2024, 8, 16);

/** Tapbacks aimed at a particular kind of message: at a URL preview, or at a later part of a multi-part message. */
const AIMED_TAPBACKS: Partial<Record<Kind, (target: Target) => boolean>> = {
  balloonTapback: (t) => t.isBalloon,
  partTapback: (t) => t.parts.length > 1,
};

class Generation {
  readonly counts: FeatureCounts;
  /** Attachments left without their file so far (see `offloads`). */
  private missingFiles = 0;
  private readonly chats: ChatState[];
  private readonly groupChats: ChatState[];
  /** The one-to-one chat whose messages to the owner Messages files as junk: the stranger's (see marks). */
  private readonly junkChat: ChatState | undefined;
  private readonly chatWeights: number[];
  private readonly totalChatWeight: number;

  constructor(
    private readonly writer: ChatDbWriter,
    private readonly random: Random,
    chats: ChatInfo[],
    private readonly pool: MediaPool,
    private readonly attachmentsDir: string,
    private readonly legacy: boolean,
    /** Pool kind for incidental pictures (missing file, partly unsent message); not an image when images are counted exactly. */
    private readonly incidentalMedia: MediaKind,
    private readonly livePhotos: boolean,
    private readonly iCloudShare: number,
  ) {
    this.chats = chats.map((info) => ({ info, recent: [], tapbacks: [] }));
    this.groupChats = this.chats.filter((c) => c.info.isGroup);
    this.junkChat = this.chats.filter((c) => !c.info.isGroup).at(-1);
    this.chatWeights = this.chats.map((_, i) => 1 / Math.pow(i + 1, 0.7));
    this.totalChatWeight = this.chatWeights.reduce((a, b) => a + b, 0);
    this.counts = new FeatureCounts(chats);
  }

  /**
   * Writes `total` rows: the last few are polls (see planPolls, drawn with `pollRandom`), in rows the schedule
   * leaves free after its last mandatory kind; the rows before them are the same with or without polls.
   */
  run(total: number, images: number | undefined, pollRandom: Random): void {
    const mandatory = MANDATORY.filter(
      (k) =>
        !(this.legacy && MODERN_ONLY.has(k)) &&
        !(images !== undefined && IMAGE_KINDS.has(k)) &&
        !(GROUP_ONLY.has(k) && this.groupChats.length === 0),
    );
    const polls = this.legacy ? [] : planPolls(pollRandom, this.chats.map((c) => c.info), Math.floor(total / (mandatory.length + 1)) - 1);
    const pollRowCount = polls.reduce((sum, plan) => sum + pollRows(plan), 0);
    const mandatoryAt = (k: number) => Math.floor(((k + 1) * total) / (mandatory.length + 1));
    const imageAt = (k: number) => Math.floor(((k + 0.5) * total) / (images ?? 1));
    let nextMandatory = 0;
    let nextImage = 0;
    /** Scheduled kinds not written yet; one that keeps failing (no target, wrong service) is dropped. */
    const pending: Array<{ kind: Kind; attempts: number }> = [];
    const times = this.timeline(total);
    let previousChat: ChatState | undefined;

    for (let i = 0; i < total - pollRowCount; i++) {
      const at: Moment = { ms: times[i], nanos: this.random.int(1_000, 999_999) };
      while (nextMandatory < mandatory.length && mandatoryAt(nextMandatory) <= i) {
        pending.push({ kind: mandatory[nextMandatory++], attempts: 0 });
      }
      let kind: Kind;
      let scheduled: { kind: Kind; attempts: number } | undefined;
      if (images !== undefined && nextImage < images && imageAt(nextImage) <= i) {
        kind = 'image';
        nextImage++;
      } else if ((scheduled = pending.shift())) {
        kind = scheduled.kind;
      } else {
        kind = this.randomKind(images !== undefined);
      }
      const chat = (previousChat = this.chatFor(kind, previousChat));
      if (!this.emit(kind, chat, at)) {
        if (scheduled && ++scheduled.attempts < 20) pending.push(scheduled); // retry once a target exists
        this.emit('text', chat, at);
      }
    }
    let slot = total - pollRowCount;
    for (const plan of polls) {
      this.poll(plan, { ms: times[slot], nanos: this.random.int(1_000, 999_999) });
      slot += pollRows(plan);
    }
  }

  private randomKind(imagesScheduled: boolean): Kind {
    for (;;) {
      const kind = this.random.weighted(RANDOM_WEIGHTS as Record<Kind, number>);
      if (imagesScheduled && IMAGE_KINDS.has(kind)) continue;
      if (this.legacy && MODERN_ONLY.has(kind)) continue;
      return kind;
    }
  }

  /**
   * Message times in ms, spanning the whole timeline: conversations come in bursts (three in four
   * gaps are tiny) separated by long quiet spells.
   */
  private timeline(total: number): Float64Array {
    const times = new Float64Array(total);
    let sum = 0;
    for (let i = 0; i < total; i++) {
      sum += this.random.chance(0.75) ? this.random.next() * 0.02 : this.random.next() * 8;
      times[i] = sum;
    }
    const scale = (TIMELINE_END - TIMELINE_START) / (sum || 1);
    for (let i = 0; i < total; i++) times[i] = Math.round(TIMELINE_START + times[i] * scale);
    return times;
  }

  /** Mostly the chat of the previous message (a conversation goes on), else one by popularity. */
  private chatFor(kind: Kind, previous: ChatState | undefined): ChatState {
    const aim = AIMED_TAPBACKS[kind];
    const aimed = aim && this.chats.find((c) => this.latest(c, aim));
    if (aimed) return aimed;
    const needsGroup = GROUP_ONLY.has(kind) && this.groupChats.length > 0;
    if (previous && (!needsGroup || previous.info.isGroup) && this.random.chance(0.8)) return previous;
    if (needsGroup) return this.random.pick(this.groupChats);
    let roll = this.random.next() * this.totalChatWeight;
    for (let i = 0; i < this.chats.length; i++) {
      roll -= this.chatWeights[i];
      if (roll < 0) return this.chats[i];
    }
    return this.chats[this.chats.length - 1];
  }

  private sender(chat: ChatState): Sender {
    if (this.random.chance(0.45)) return { fromMe: true };
    return { fromMe: false, member: this.random.pick(chat.info.members) };
  }

  private time(t: Moment): bigint | number {
    return this.legacy ? appleSeconds(t) : appleNanoseconds(t);
  }

  /** Columns every ordinary message row shares. */
  private baseRow(chat: ChatState, sender: Sender, at: Moment): Row {
    const delivered = sender.fromMe || chat.info.service !== 'SMS';
    const read = this.random.chance(0.8);
    return {
      guid: this.random.guid(),
      handle_id: sender.fromMe ? 0 : sender.member!.handleRowId,
      service: chat.info.service,
      account: chat.info.service === 'iMessage' ? OWNER_ACCOUNT : 'P:+15555550199',
      account_guid: 'A1B2C3D4-0000-4000-8000-0000000000AA',
      date: this.time(at),
      date_delivered: delivered ? this.time(later(at, this.random.int(300, 4000))) : 0,
      date_read: read ? this.time(later(at, this.random.int(5_000, 3_600_000))) : 0,
      is_from_me: sender.fromMe ? 1 : 0,
      is_sent: sender.fromMe ? 1 : 0,
      is_read: sender.fromMe ? 0 : read ? 1 : 0,
      cache_roomnames: chat.info.roomName,
      destination_caller_id: chat.info.service === 'iMessage' ? 'owner@example.com' : '+15555550199',
      reply_to_guid: chat.info.service === 'iMessage' ? (chat.lastGuid ?? null) : null,
    };
  }

  /** Stores a body the way recent macOS does: often attributedBody only, mostly both, rarely text only. */
  private setBody(row: Row, runs: BodyRun[]): { text: string; parts: Array<[number, number]> } {
    const { text, blob } = encodeBody(runs);
    const plain = runs.every((r) => !r.attachment);
    const mode = this.legacy
      ? this.random.chance(0.8) || !plain ? 'both' : 'textOnly'
      : this.random.weighted({ bodyOnly: 48, both: 47, textOnly: plain ? 5 : 0 });
    row.text = mode === 'bodyOnly' ? null : text;
    row.attributedBody = mode === 'textOnly' ? null : blob;
    return { text, parts: partRanges(runs) };
  }

  private insert(chat: ChatState, row: Row, target?: Omit<Target, 'guid' | 'author'>): number {
    const rowId = this.writer.addMessage(chat.info.rowId, row);
    this.counts.message(chat.info, row);
    chat.lastGuid = row.guid as string;
    if (target) {
      chat.recent.push({ ...target, guid: row.guid as string, author: Number(row.handle_id) });
      if (chat.recent.length > RECENT_LIMIT) chat.recent.shift();
    }
    return rowId;
  }

  /** Inserts a message made of body runs and remembers it as a target. */
  private textMessage(chat: ChatState, at: Moment, runs: BodyRun[], extra: Row = {}, sender = this.sender(chat)): number {
    const row = { ...this.baseRow(chat, sender, at), ...extra };
    const { text, parts } = this.setBody(row, runs);
    return this.insert(chat, row, { parts, snippet: snippet(text), isBalloon: row.balloon_bundle_id != null });
  }

  /** Writes one message row of the given kind; false when the chat cannot carry it (nothing written). */
  private emit(kind: Kind, chat: ChatState, at: Moment): boolean {
    if (IMESSAGE_ONLY.has(kind) && chat.info.service !== 'iMessage') return false;
    if (TEXT_KINDS.has(kind)) return this.textKind(kind, chat, at);
    switch (kind) {
      case 'urlPreview':
        return this.urlPreview(chat, at);
      case 'digitalTouch':
        return this.digitalTouch(chat, at);
      case 'image':
      case 'heic':
      case 'audio':
      case 'video':
      case 'document':
      case 'sticker':
        return this.attachmentMessage(chat, at, kind);
      case 'multipart':
        return this.multipart(chat, at);
      case 'missingAttachment':
        return this.attachmentMessage(chat, at, this.incidentalMedia, { missing: true });
      case 'hostileAttachment':
        return this.attachmentMessage(chat, at, 'text', { transferName: '../../evil.txt' });
      case 'tapback':
      case 'emojiTapback':
      case 'stickerTapback':
      case 'balloonTapback':
      case 'partTapback':
        return this.tapback(chat, at, kind);
      case 'tapbackRemoval':
        return this.tapbackRemoval(chat, at);
      case 'reply':
        return this.reply(chat, at);
      case 'edited':
        return this.edited(chat, at);
      case 'unsent':
        return this.unsent(chat, at);
      case 'partUnsent':
        return this.partUnsent(chat, at);
      default:
        return this.groupEvent(chat, at, kind);
    }
  }

  /** A message of text alone: plain, in a script, long, with a link, a mention, styles or effects. */
  private textKind(kind: Kind, chat: ChatState, at: Moment): boolean {
    const r = this.random;
    switch (kind) {
      case 'text': {
        const runs = [{ text: plainText(r), part: 0 }];
        const sender = this.sender(chat);
        this.textMessage(chat, at, runs, this.marks(chat, sender, at), sender);
        return true;
      }
      case 'script':
        // Walks the scripts in turn so every writing system appears in small samples.
        this.textMessage(chat, at, [{ text: r.pick(SCRIPTS[this.counts.nextScript()]), part: 0 }]);
        return true;
      case 'multiline':
        this.textMessage(chat, at, [{ text: multiLineText(r), part: 0 }]);
        this.counts.add('multiLine');
        return true;
      case 'long':
        this.textMessage(chat, at, [{ text: longText(r), part: 0 }]);
        this.counts.add('longMessages');
        return true;
      case 'link':
        this.textMessage(chat, at, linkRuns(r, 0), { has_dd_results: 1, was_data_detected: 1 });
        this.counts.add('links');
        return true;
      case 'mention': {
        if (!chat.info.isGroup) return false;
        const member = r.pick(chat.info.members);
        const sender = this.sender(chat);
        if (sender.member === member) return false;
        this.textMessage(chat, at, mentionRuns(member.name, member.handle, r), {}, sender);
        this.counts.add('mentions');
        return true;
      }
      case 'styled':
        this.textMessage(chat, at, styledRuns(r));
        this.counts.add('styled');
        return true;
      case 'textEffect':
        this.textMessage(chat, at, effectRuns(r));
        this.counts.add('textEffects');
        return true;
      case 'expressive': {
        const effect = EXPRESSIVE_EFFECTS[this.counts.get('expressiveEffects') % EXPRESSIVE_EFFECTS.length];
        this.textMessage(chat, at, [{ text: r.pick(['Happy birthday!!! 🎂', 'Congratulations!', 'Guess what', 'I love you']), part: 0 }], {
          expressive_send_style_id: effect,
        });
        this.counts.add('expressiveEffects');
        return true;
      }
      default:
        return false;
    }
  }

  /**
   * A one-to-one text's marks: the first two the last one-to-one chat's person sent the owner are filed as junk
   * (is_spam: in the sample, a stranger: the last handle, which its contacts leave without a card), the first two
   * since Messages via satellite came (iOS 18) went over satellite (by the satellite name of the chat's service).
   * Drawn from no random number, so the rest of the database is the same as without them.
   */
  private marks(chat: ChatState, sender: Sender, at: Moment): Row {
    const row: Row = {};
    if (chat.info.isGroup) return row;
    if (!sender.fromMe && chat === this.junkChat && this.counts.get('junk') < 2) {
      row.is_spam = 1;
      this.counts.add('junk');
    }
    const satellite = SATELLITE_SERVICES[chat.info.service];
    if (satellite && !this.legacy && at.ms >= SATELLITE_SINCE && this.counts.get('satellite') < 2) {
      row.service = satellite;
      this.counts.add('satellite');
    }
    return row;
  }

  private urlPreview(chat: ChatState, at: Moment): boolean {
    const site = this.random.pick(SITE_PREVIEWS);
    this.textMessage(chat, at, [{ text: site.url, part: 0, link: site.url }], {
      balloon_bundle_id: 'com.apple.messages.URLBalloonProvider',
      payload_data: encodeRichLink({ ...site, originalUrl: site.url }),
      has_dd_results: 1,
      was_data_detected: 1,
    });
    this.counts.add('urlPreviews');
    return true;
  }

  /** Each kind of Digital Touch in turn, so small samples hold every one. */
  private digitalTouch(chat: ChatState, at: Moment): boolean {
    const kind = TOUCH_KINDS[this.counts.get('digitalTouches') % TOUCH_KINDS.length]!;
    this.textMessage(chat, at, [{ text: OBJECT_REPLACEMENT, part: 0 }], {
      balloon_bundle_id: 'com.apple.DigitalTouchBalloonProvider',
      payload_data: Buffer.from(encodeDigitalTouch(kind, this.random)),
    });
    this.counts.add('digitalTouches');
    return true;
  }

  /** Writes the attachment row (and file, unless missing) for a message that is about to be inserted. */
  private attachment(
    file: PoolFile,
    at: Moment,
    sender: Sender,
    options: { missing?: boolean; transferName?: string } = {},
  ): { guid: string; row: Row } {
    const guid = this.random.guid();
    const transferName = options.transferName ?? file.transferName;
    const storedName = path.basename(transferName.replace(/\\/g, '/')) || 'attachment';
    const dir = `${guid.slice(0, 2).toLowerCase()}/${String(this.random.int(0, 15)).padStart(2, '0')}/${guid}`;
    const missing = options.missing ?? this.random.chance(0.03);
    if (!missing) MediaPool.place(file, path.join(this.attachmentsDir, dir, storedName));
    if (!missing && this.livePhotos && file.kind === 'heic') this.livePhotoMovie(path.join(this.attachmentsDir, dir, storedName));
    this.counts.attachment(file.kind, missing);
    const offloaded = missing && this.offloads();
    return {
      guid,
      row: {
        guid,
        original_guid: guid,
        created_date: appleSeconds(at),
        start_date: 0,
        filename: `~/Library/Messages/Attachments/${dir}/${storedName}`,
        uti: file.uti,
        mime_type: file.mimeType,
        transfer_state: missing ? 0 : 5,
        ck_sync_state: offloaded ? 1 : 0,
        // As Messages names a synced row's record: 64 hex digits (here of its GUID).
        ck_record_id: offloaded ? createHash('sha256').update(guid).digest('hex') : null,
        is_outgoing: sender.fromMe ? 1 : 0,
        transfer_name: transferName,
        total_bytes: file.bytes,
        is_sticker: file.sticker ? 1 : 0,
        ...(file.sticker ? stickerColumns(file.sticker) : {}),
      },
    };
  }

  /** Whether the next attachment left without its file is offloaded to iCloud: `iCloudShare` of them, spread evenly. */
  private offloads(): boolean {
    const before = this.missingFiles++;
    return Math.floor((before + 1) * this.iCloudShare) > Math.floor(before * this.iCloudShare);
  }

  /** A Live Photo's movie beside its still, as Messages keeps it: `IMG_3051.HEIC` and `IMG_3051.MOV`. */
  private livePhotoMovie(still: string): void {
    MediaPool.place(this.pool.files('video')[0]!, `${still.slice(0, still.length - path.extname(still).length)}.MOV`);
    this.counts.add('livePhotos');
  }

  private poolFile(kind: MediaKind): PoolFile {
    const files = this.pool.files(kind);
    // Stickers go round in turn, so every sticker origin shows up even in small samples.
    return kind === 'sticker' ? files[this.counts.get('stickers') % files.length] : this.random.pick(files);
  }

  private attachmentMessage(
    chat: ChatState,
    at: Moment,
    kind: MediaKind,
    options: { missing?: boolean; transferName?: string } = {},
  ): boolean {
    const sender = this.sender(chat);
    const sticker = kind === 'sticker';
    const attachment = this.attachment(this.poolFile(kind), at, sender, options);
    const runs: BodyRun[] = [{ text: OBJECT_REPLACEMENT, part: 0, attachment: { guid: attachment.guid } }];
    const captioned = kind !== 'audio' && !sticker && this.random.chance(0.3);
    if (captioned) runs.push({ text: plainText(this.random), part: 1 });
    const extra: Row = { cache_has_attachments: 1 };
    if (kind === 'audio') Object.assign(extra, { is_audio_message: 1, is_played: sender.fromMe ? 0 : 1 });
    const rowId = this.textMessage(chat, at, runs, extra, sender);
    this.writer.addAttachment(rowId, attachment.row);
    return true;
  }

  /** Text, image, text: three parts in one bubble group. */
  private multipart(chat: ChatState, at: Moment): boolean {
    const sender = this.sender(chat);
    const attachment = this.attachment(this.poolFile('image'), at, sender);
    const runs: BodyRun[] = [
      { text: 'Look at this ', part: 0 },
      { text: OBJECT_REPLACEMENT, part: 1, attachment: { guid: attachment.guid, filename: attachment.row.transfer_name as string } },
      { text: plainText(this.random), part: 2 },
    ];
    const rowId = this.textMessage(chat, at, runs, { cache_has_attachments: 1, part_count: 3 }, sender);
    this.writer.addAttachment(rowId, attachment.row);
    this.counts.add('multiPart');
    return true;
  }

  private pickTarget(chat: ChatState): Target | undefined {
    return chat.recent.length ? this.random.pick(chat.recent) : undefined;
  }

  private latest(chat: ChatState, test: (t: Target) => boolean): Target | undefined {
    return [...chat.recent].reverse().find(test);
  }

  private tapback(chat: ChatState, at: Moment, kind: 'tapback' | 'emojiTapback' | 'stickerTapback' | 'balloonTapback' | 'partTapback'): boolean {
    const aim = AIMED_TAPBACKS[kind];
    const target = aim ? this.latest(chat, aim) : this.pickTarget(chat);
    if (!target) return false;
    const part = kind === 'partTapback' ? target.parts.length - 1 : this.random.int(0, target.parts.length - 1);
    const type =
      kind === 'emojiTapback' ? 2006 : kind === 'stickerTapback' ? 2007 : 2000 + (this.counts.get('tapbacks') % 6);
    // People rarely react to their own messages.
    let sender = this.sender(chat);
    for (let tries = 0; tries < 3 && (sender.member?.handleRowId ?? 0) === target.author; tries++) sender = this.sender(chat);
    const emoji = type === 2006 ? this.random.pick(TAPBACK_EMOJI) : undefined;
    const row = { ...this.baseRow(chat, sender, at), ...this.tapbackColumns(target, part, type, emoji) };
    let sticker: { guid: string; row: Row } | undefined;
    if (type === 2007) {
      sticker = this.attachment(this.poolFile('sticker'), at, sender);
      Object.assign(row, { cache_has_attachments: 1 });
      this.setBody(row, [{ text: OBJECT_REPLACEMENT, part: 0, attachment: { guid: sticker.guid } }]);
    } else {
      const verb = type === 2006 ? `Reacted ${emoji} to` : TAPBACK_VERBS[type - 2000];
      this.setBody(row, [{ text: `${verb} “${target.snippet}”`, part: 0 }]);
    }
    const rowId = this.insert(chat, row);
    if (sticker) this.writer.addAttachment(rowId, sticker.row);
    chat.tapbacks.push({ target, part, type, sender, emoji });
    if (chat.tapbacks.length > RECENT_LIMIT) chat.tapbacks.shift();
    this.counts.tapback(type);
    return true;
  }

  private tapbackColumns(target: Target, part: number, type: number, emoji?: string): Row {
    const [location, length] = target.parts[part];
    return {
      associated_message_guid: target.isBalloon ? `bp:${target.guid}` : `p:${part}/${target.guid}`,
      associated_message_type: type,
      associated_message_range_location: location,
      associated_message_range_length: length,
      associated_message_emoji: emoji ?? null,
      reply_to_guid: null,
    };
  }

  private tapbackRemoval(chat: ChatState, at: Moment): boolean {
    const index = chat.tapbacks.findIndex((t) => t.type !== 2007);
    if (index < 0) return false;
    const [added] = chat.tapbacks.splice(index, 1);
    const type = added.type + 1000;
    const row = { ...this.baseRow(chat, added.sender, at), ...this.tapbackColumns(added.target, added.part, type, added.emoji) };
    const verb = added.type === 2006 ? `Removed ${added.emoji} from` : `Removed a ${TAPBACK_VERBS[added.type - 2000].toLowerCase()} reaction from`;
    this.setBody(row, [{ text: `${verb} “${added.target.snippet}”`, part: 0 }]);
    this.insert(chat, row);
    this.counts.tapback(type);
    return true;
  }

  private reply(chat: ChatState, at: Moment): boolean {
    const target = this.pickTarget(chat);
    if (!target || chat.info.service === 'SMS') return false;
    const part = this.random.int(0, target.parts.length - 1);
    const [lo, le] = target.parts[part];
    const previous = target.threadLast ?? target.guid;
    this.textMessage(chat, at, [{ text: plainText(this.random), part: 0 }], {
      thread_originator_guid: target.guid,
      thread_originator_part: `${part}:${lo}:${le}`,
      reply_to_guid: previous,
    });
    target.threadLast = chat.lastGuid;
    this.counts.add('replies');
    return true;
  }

  private edited(chat: ChatState, at: Moment): boolean {
    const sender = this.sender(chat);
    const versions: PartVersion[] = [];
    let when = at;
    for (const text of editedTexts(plainText(this.random), this.random.int(2, 4))) {
      versions.push({ runs: [{ text, part: 0 }], at: when, guid: this.random.guid() });
      when = later(when, this.random.int(4_000, 120_000), this.random.int(1_000, 999_999));
    }
    const latest = versions[versions.length - 1];
    const current = encodeBody(latest.runs);
    const row = {
      ...this.baseRow(chat, sender, at),
      attributedBody: current.blob,
      text: null,
      date_edited: this.time(latest.at),
      message_summary_info: encodeSummaryInfo({
        partRanges: [[0, versions[0].runs[0].text.length]],
        edits: new Map([[0, versions]]),
        unsentParts: [],
      }),
    };
    const text = current.text;
    this.insert(chat, row, { parts: [[0, text.length]], snippet: snippet(text), isBalloon: false });
    this.counts.add('edited');
    return true;
  }

  /** The whole message unsent: no body left, only the summary saying part 0 was retracted. */
  private unsent(chat: ChatState, at: Moment): boolean {
    const sender: Sender = { fromMe: true };
    const original = plainText(this.random);
    const retractedAt = this.time(later(at, this.random.int(5_000, 110_000)));
    const row = {
      ...this.baseRow(chat, sender, at),
      text: null,
      attributedBody: null,
      date_edited: retractedAt,
      date_retracted: retractedAt,
      message_summary_info: encodeSummaryInfo({ partRanges: [[0, original.length]], edits: new Map(), unsentParts: [0] }),
    };
    this.insert(chat, row);
    this.writer.addDeletedMessage(this.random.guid());
    this.counts.add('unsent');
    return true;
  }

  /** Text, image, text where the last text part was first edited, then unsent. */
  private partUnsent(chat: ChatState, at: Moment): boolean {
    const sender: Sender = { fromMe: true };
    const attachment = this.attachment(this.poolFile(this.incidentalMedia), at, sender);
    const first = { text: plainText(this.random), part: 0 };
    const image = { text: OBJECT_REPLACEMENT, part: 1, attachment: { guid: attachment.guid } };
    const [lastOriginal, lastEdited] = editedTexts(plainText(this.random), 2);
    const editedAt = later(at, this.random.int(3_000, 30_000), this.random.int(1_000, 999_999));
    const retractedAt = later(editedAt, this.random.int(3_000, 30_000));
    const ranges: Array<[number, number]> = [
      [0, first.text.length],
      [first.text.length, 1],
      [first.text.length + 1, lastOriginal.length],
    ];
    const row = {
      ...this.baseRow(chat, sender, at),
      attributedBody: encodeBody([first, image]).blob,
      text: null,
      cache_has_attachments: 1,
      part_count: 3,
      date_edited: this.time(retractedAt),
      date_retracted: this.time(retractedAt),
      message_summary_info: encodeSummaryInfo({
        partRanges: ranges,
        edits: new Map([[2, [
          { runs: [{ text: lastOriginal, part: 2 }], at, guid: this.random.guid() },
          { runs: [{ text: lastEdited, part: 2 }], at: editedAt, guid: this.random.guid() },
        ]]]),
        unsentParts: [2],
      }),
    };
    const rowId = this.insert(chat, row, { parts: ranges.slice(0, 2), snippet: snippet(first.text), isBalloon: false });
    this.writer.addAttachment(rowId, attachment.row);
    this.counts.add('edited');
    this.counts.add('unsent');
    return true;
  }

  /** A poll, its question, an option added later, and each voter's vote message, minutes to hours apart. */
  private poll(plan: PollPlan, at: Moment): void {
    const chat = this.chats.find((c) => c.info === plan.chat)!;
    const sender = (p: Pollster): Sender => (p.member ? { fromMe: false, member: p.member } : { fromMe: true });
    const session = this.random.guid();
    const balloon = (json: object, ldtext?: string, options?: number): Row => ({ balloon_bundle_id: POLLS_BUNDLE, payload_data: encodePollLayout(json, session, ldtext, options) });
    this.textMessage(chat, at, [{ text: OBJECT_REPLACEMENT, part: 0 }], balloon(pollJson(plan, plan.options), 'Sent a poll', plan.options.length), sender(plan.creator));
    const guid = chat.lastGuid!;
    let when = later(at, this.random.int(4_000, 20_000));
    this.textMessage(chat, when, [{ text: plan.question, part: 0 }], {}, sender(plan.creator));
    const aimed = (type: number, target: string): Row => ({ associated_message_type: type, associated_message_guid: target, reply_to_guid: null });
    if (plan.added) {
      when = later(when, this.random.int(60_000, 1_800_000));
      const options = [...plan.options, plan.added];
      const update = { ...this.baseRow(chat, sender(plan.added.creator), when), ...balloon(pollJson(plan, options), 'Sent a poll', options.length), ...aimed(2, `p:0/${guid}`) };
      this.setBody(update, [{ text: OBJECT_REPLACEMENT, part: 0 }]);
      this.insert(chat, update);
      this.counts.add('pollOptionsAdded');
    }
    plan.votes.forEach((vote, i) => {
      when = later(when, this.random.int(60_000, 3_600_000));
      // A changed vote: Messages deletes the earlier vote message when the new one comes.
      if (vote.before) this.writer.addDeletedMessage(this.random.guid());
      const row = { ...this.baseRow(chat, sender(vote.voter), when), ...balloon(voteJson(vote.voter, vote.choices, appleSecondsFloat(when))), ...aimed(4000, i % 2 ? guid : `p:0/${guid}`) };
      this.setBody(row, [{ text: OBJECT_REPLACEMENT, part: 0 }]);
      this.insert(chat, row);
      this.counts.add('pollVotes');
    });
    this.counts.add('polls');
  }

  /**
   * Group events. item_type 1 = membership (group_action_type 0 added, 1 removed; other_handle = the
   * member), 2 = renamed (group_title), 3 = group_action_type 0 left, 1 photo changed, 2 photo removed.
   */
  private groupEvent(chat: ChatState, at: Moment, kind: Kind): boolean {
    if (!chat.info.isGroup) return false;
    const [itemType, action] = ({
      memberAdded: [1, 0], memberRemoved: [1, 1], renamed: [2, 0], memberLeft: [3, 0], photoChanged: [3, 1], photoRemoved: [3, 2],
    } as Record<string, [number, number]>)[kind];
    const member = this.random.pick(chat.info.members);
    // Whoever leaves is the actor; otherwise anyone but the member concerned.
    const others = chat.info.members.filter((m) => m !== member);
    const actor = () => this.random.pick(others.length > 0 ? others : chat.info.members);
    const sender: Sender = kind === 'memberLeft' ? { fromMe: false, member } : this.random.chance(0.5) ? { fromMe: true } : { fromMe: false, member: actor() };
    const row: Row = {
      ...this.baseRow(chat, sender, at),
      item_type: itemType,
      group_action_type: action,
      other_handle: itemType === 1 ? member.handleRowId : 0,
      group_title: itemType === 2 ? chat.info.displayName || 'Weekend plans' : null,
      reply_to_guid: null,
    };
    this.insert(chat, row);
    this.counts.groupEvent(kind);
    return true;
  }
}

function stickerColumns(origin: StickerOrigin): Row {
  return {
    sticker_user_info: Buffer.from(plist.buildBinary({ pid: origin.bundleId })),
    attribution_info: origin.attributionName ? Buffer.from(plist.buildBinary({ name: origin.attributionName })) : null,
    emoji_image_short_description: origin.genmojiPrompt ?? null,
  };
}

function partRanges(runs: readonly BodyRun[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let offset = 0;
  for (const run of runs) {
    const range = ranges[run.part] ?? (ranges[run.part] = [offset, 0]);
    range[1] += run.text.length;
    offset += run.text.length;
  }
  return ranges.filter(Boolean);
}

/** Successive versions of an edited text: a typo first, then the fix, then small additions. */
function editedTexts(text: string, count: number): string[] {
  const words = text.split(' ');
  // Whole characters: half an emoji would be a broken one.
  const last = Array.from(graphemes.segment(words[words.length - 1]), ({ segment }) => segment);
  const typo = words.length > 1 ? [...words.slice(0, -1), last.slice(0, -1).join('')].join(' ') : `${text}${last.at(-1)}`;
  return [typo, text, `${text} 🙂`, `${text} — see you then`].slice(0, count);
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The start of a text as tapbacks quote it, cut between whole characters (never inside an emoji). */
function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= 40) return flat;
  let cut = 0;
  for (const { index } of graphemes.segment(flat)) {
    if (index > 40) break;
    cut = index;
  }
  return `${flat.slice(0, cut)}…`;
}

/** Writes a chat.db at `options.path` (and attachment files); refuses to replace a file it did not make. */
export async function generateChatDb(options: GenerateOptions): Promise<GeneratedSummary> {
  if (!Number.isInteger(options.messages) || options.messages < 1) throw new Error('messages must be a positive integer');
  const attachmentsDir = options.attachmentsDir ?? path.join(path.dirname(options.path), 'Attachments');
  const partial = claimOutput(options.path, attachmentsDir);
  const legacy = options.legacySchema ?? false;
  const conversations = options.singleConversation ? 1 : options.conversations ?? Math.min(80, Math.max(8, Math.round(options.messages / 150)));
  const random = new Random(options.seed);
  const pool = await MediaPool.build();
  const db = new Database(partial);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma(`application_id = ${GENERATED_APPLICATION_ID}`);
    createSchema(db, legacy);
    const writer = new ChatDbWriter(db, legacy);
    let summary: GeneratedSummary | undefined;
    db.transaction(() => {
      const chats = createChats(writer, random, { conversations, singleConversation: options.singleConversation ?? false });
      const incidental = options.images === undefined ? 'image' : 'document';
      const generation = new Generation(writer, random, chats, pool, attachmentsDir, legacy, incidental, options.livePhotos ?? false, options.iCloudOnly ?? 0);
      generation.run(options.messages, options.images, new Random(options.seed ^ POLL_SEED));
      summary = generation.counts.summary();
    })();
    db.close();
    fs.renameSync(partial, options.path);
    return summary!;
  } catch (error) {
    if (db.open) db.close();
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    pool.dispose();
  }
}
