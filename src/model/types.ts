// The conversation model: everything a renderer may know. Renderers never see SQL rows.

/** The handle of the archive owner's own messages. */
export const OWNER_HANDLE = 'me';

/** Someone taking part in a conversation, or the archive's owner (isMe). */
export interface Person {
  /** Phone number or email as stored in the database (a participant's number in E.164: see `numbersOnce`); OWNER_HANDLE for the owner. */
  handle: string;
  /** What to show: a contact name when one is known, else the handle (a number in E.164: see `numbersOnce`). */
  name: string;
  isMe: boolean;
  /** A conversation's participant: the person's other handles it was read from (their email beside their phone). */
  otherHandles?: string[];
  /**
   * A participant's handles that spell one of their numbers otherwise (`5555550107`, kept without the country code
   * by a device, beside `+15555550107`): shown once, as `handle` or `otherHandles` spells it, and still theirs.
   */
  sameNumbers?: string[];
  /**
   * A group's participant who is no longer a member (not in its member list) and whose last membership change
   * in the group's messages was leaving or being removed; someone added back since is a member.
   */
  former?: 'left' | 'removed';
  /**
   * When the last change of their membership the group's messages hold was made (ms since 1970; `former` says
   * what it was, none: they were added): of lists that disagree (sources, an archive's runs), the latest decides.
   */
  changedAt?: number;
  /** Where they come first in a source's list of the participants, when a list merged of several has them elsewhere (see `everyParticipant`). */
  listedAt?: number;
}

export interface Conversation {
  /** Stable identifier: the guid of one of its chat rows (a source's first; of several, see `conversationId`), kept by an archive. */
  id: string;
  /** chat.ROWID values merged into this conversation. */
  chatIds: number[];
  /** Their chat_identifier values (phone numbers, emails, `chat…` ids of groups), each once. */
  chatIdentifiers?: string[];
  /** Group name if set, else the participants' names joined. */
  title: string;
  groupName?: string;
  isGroup: boolean;
  /** Services seen in the chat rows: "iMessage", "SMS", "RCS". */
  services: string[];
  /** Everyone but the owner. */
  participants: Person[];
  /** Messages that renderers will receive (tapbacks excluded), after date filters. */
  messageCount: number;
  /** When the archive combines several sources: how many of these messages each source has, and all of them. */
  sourceCounts?: { bySource: { source: string; messages: number }[]; inEvery: number };
  firstDate?: Date;
  lastDate?: Date;
  /**
   * The owner's own phone numbers and emails (Apple IDs) its messages were sent from or received on (see
   * `Message.ownerHandle`), sorted; unset when none says (an archive kept by an earlier textkeeper).
   */
  ownerHandles?: string[];
  /** Messages only the archive still keeps (the sources it last read no longer have them), and the earlier runs that read them. */
  keptOnly?: { messages: number; runs: Pick<ArchiveRun, 'startedAt' | 'sources'>[] };
}

export interface Message {
  rowId: number;
  guid: string;
  date: Date;
  /**
   * The nanoseconds of `date` below its millisecond, as chat.db stores it (see `appleTimestamp`); unset when 0,
   * and for a message an earlier textkeeper took into an archive.
   */
  dateNanos?: number;
  dateRead?: Date;
  dateDelivered?: Date;
  datePlayed?: Date;
  sender: Person;
  isFromMe: boolean;
  /**
   * The owner's own phone number or email (Apple ID) it was sent from or received on: chat.db's
   * destination_caller_id, else its account without the kind (`P:`, `E:`). Unset when the database does not say,
   * or an earlier textkeeper archived it.
   */
  ownerHandle?: string;
  service: string;
  /** Sent by SMS (the service) after iMessage failed: Messages says "Sent as Text Message". */
  downgraded?: true;
  /** Went over satellite (Messages via satellite): chat.db names its service iMessageLite or SatelliteSMS. */
  satellite?: true;
  /** Messages filed it as junk (message.is_spam). */
  junk?: true;
  /** "event" messages are group events and other system lines; they carry `event`. */
  kind: 'message' | 'event';
  event?: GroupEvent;
  subject?: string;
  /**
   * A message of the owner's that did not reach anyone: 'failed' when Messages says Not Delivered, 'scheduled'
   * when it was written to be sent later and had not been sent when the database was copied.
   */
  undelivered?: 'failed' | 'scheduled';
  parts: Part[];
  replyTo?: ReplyRef;
  /** Expressive send effect by name ("Slam", "Confetti", …). */
  effect?: string;
  isAudioMessage: boolean;
  /** True when any part was edited. */
  edited: boolean;
  /** Human-readable notes about data that could not be read fully (malformed blobs). */
  problems: string[];
  /** When the archive combines several sources and some of them lack this message: the ones it was found in. */
  sources?: string[];
  /**
   * One of the sources that lack the message holds messages from before and after it (its lack says something:
   * transcripts name the sources under it). Set by an archive folder; a source's lack of what came before its
   * first message or after its last (a new iPhone, an old Mac) is not.
   */
  lackedInItsTime?: boolean;
  /** Kept by an archive folder after it vanished from every source: the time of the first run that missed it. */
  absentSince?: Date;
  /**
   * Reactions the source says were taken back (removal rows, or a classic tapback replaced by another): the
   * archive marks those it kept as removed. Read from a device only; never stored nor rendered.
   */
  tapbackRemovals?: TapbackRemoval[];
  /**
   * The GUIDs of the database's rows read as part of this message (a poll's votes and later versions): an
   * archive keeps none of them as a message of its own. Read from a device only; never stored nor rendered.
   */
  folds?: string[];
}

/** A person taking back their classic tapback, or their stickers, on one part of a message. */
export interface TapbackRemoval {
  part: number;
  handle: string;
  sticker: boolean;
  date: Date;
}

/** What a source holds of a message's reactions: those on its parts (by part index), and those it says were taken back. */
export interface Reactions {
  tapbacks?: Map<number, Tapback[]>;
  removals?: TapbackRemoval[];
}

/** What sources hold of the reactions on several messages, by each message's GUID, and the source (a GUID once a source). */
export type ReactionsByGuid = [guid: string, reactions: Reactions, source: string][];

/** One run of an archive folder, as its store records it (shown in the HTML index under "Runs"). */
/**
 * What became of a source database's check (PRAGMA quick_check): it found nothing (in the file alone, or
 * with the -wal beside it), found damage, was turned off (--no-check), or was not run again because an
 * earlier run checked the same file (by SHA-256, no -wal beside it) and found nothing.
 */
export type SourceCheck = 'sound' | 'sound with its -wal' | 'damaged' | 'off' | 'earlier';

export interface ArchiveRun {
  startedAt: Date;
  /** Undefined: the run did not finish (or is this one). */
  finishedAt?: Date;
  toolVersion: string;
  /**
   * Each source read: its description, the SHA-256 of its database file (and of the -wal read with it), the
   * device it came from, and what checking the database found (undefined: the run did not get that far, or an
   * archive folder); an archive folder's, the sources it recorded. `id`: what the archive knows the source by (see `sourceIds`);
   * none in runs before store version 7, which knew a source by its description. `backedUp`: when a backup was
   * made (ms since 1970). `newest`: how far a Mac database had got; `olderThan`: when the latest run that read it
   * further on began (ms since 1970): this is an older copy of it, whose lack of a message says nothing.
   */
  sources: (SourceHashes & {
    description: string; id?: string; device?: string; backedUp?: number; check?: SourceCheck; recorded?: RecordedSource[];
    newest?: DatabaseReach; olderThan?: number;
  })[];
  /** conversations, messages, attachments written; added, changed, absent messages. */
  counts?: Record<string, number>;
}

/**
 * The SHA-256 of a source's database file and, when a -wal holding anything was read with it, of that -wal:
 * both files are what was read (undefined: not hashed; none for the -wal in a store written before it was hashed).
 */
export interface SourceHashes {
  sha256?: string;
  walSha256?: string;
}

/** How far a Mac database had got: the highest ROWID it gave a message, and when its newest message was sent (ms since 1970). */
export interface DatabaseReach {
  rowId: number;
  sent: number;
}

/**
 * A source an archive folder's runs read, as the latest of them that read it recorded it: what an archive
 * read as a source (`--archive`) had its messages from.
 */
export interface RecordedSource extends SourceHashes {
  description: string;
  /** What that archive knows the source by (none: recorded before store version 7, by its description). */
  id?: string;
  device?: string;
  /** When that run began. */
  lastRead: Date;
}

export interface ReplyRef {
  guid: string;
  partIndex: number;
  /** The original, when it is in the database. */
  target?: ReplyTarget;
}

/** What a reply shows of the message it answers. */
export interface ReplyTarget {
  sender: Person;
  date: Date;
  snippet: string;
  rowId: number;
}

export type Part = TextPart | AttachmentPart | AppPart | UnsentPart;

interface PartBase {
  index: number;
  tapbacks: Tapback[];
}

export interface TextPart extends PartBase {
  kind: 'text';
  text: string;
  /** Formatting over `text`, in UTF-16 offsets; plain text has none. */
  spans: TextSpan[];
  /** Earlier versions, oldest first; the current text is `text`. */
  edits?: EditVersion[];
  /** When the current text was written, for an edited part: its last edit. */
  editedAt?: Date;
}

export interface TextSpan {
  start: number;
  end: number;
  mention?: string;
  link?: string;
  styles?: TextStyle[];
  /** Animated text effect: "big", "small", "shake", "nod", "explode", "ripple", "bloom", "jitter". */
  animation?: string;
}

export type TextStyle = 'bold' | 'italic' | 'underline' | 'strikethrough';

export interface AttachmentPart extends PartBase {
  kind: 'attachment';
  attachment: Attachment;
}

export interface AppPart extends PartBase {
  kind: 'app';
  app: AppBalloon;
  /** Files that belong to the balloon (e.g. a handwriting image). */
  attachments: Attachment[];
}

export interface UnsentPart extends PartBase {
  kind: 'unsent';
  /** Versions before it was unsent, if it had been edited. */
  edits?: EditVersion[];
  /** When its last version was written, if it had been edited. */
  editedAt?: Date;
  /** When it was unsent, when the database says. */
  unsentAt?: Date;
}

export interface EditVersion {
  text: string;
  date: Date;
}

export type AttachmentKind = 'image' | 'video' | 'audio' | 'file';

export interface Attachment {
  guid: string;
  /** Name to show: transfer_name, else the file's base name. */
  fileName: string;
  /** Absolute path on this machine, when the database names one. */
  path?: string;
  /** The path as the database stores it (e.g. `~/Library/Messages/Attachments/…`). */
  storedPath?: string;
  /** `path` is a temporary copy (a file decrypted from a backup) that is gone once the export ends. */
  transient?: boolean;
  /** Read from an iPhone backup: a missing file is missing from the backup, not from this computer. */
  fromBackup?: boolean;
  /** True when the file is not on disk (offloaded to iCloud, deleted, or never downloaded), or is withheld. */
  missing: boolean;
  /**
   * Why a missing file (not a withheld one) is not on disk, when the database says: 'icloud', Messages offloaded it
   * to iCloud (Optimize Storage, Messages in iCloud) and downloads it again when its conversation is opened.
   */
  missingReason?: 'icloud';
  /**
   * Why a file that exists is kept out of the archive, e.g. "outside the attachments folder, not copied"
   * (a link or path leading elsewhere: `path` is then unset) or "30 MB, over --max-attachment-size 25 MB".
   */
  withheld?: string;
  /**
   * The message's text holds an attachment placeholder (U+FFFC) but the database has no attachment row
   * for it: there is nothing to show but that note.
   */
  notInDatabase?: boolean;
  mimeType?: string;
  uti?: string;
  kind: AttachmentKind;
  size: number;
  createdAt?: Date;
  isSticker: boolean;
  /** For stickers: "genmoji", "memoji", "user_generated", or the app name. */
  stickerSource?: string;
  /** Genmoji prompt, sticker effect, or similar short description. */
  description?: string;
  width?: number;
  height?: number;
  /** Audio message transcription, when Apple stored one. */
  transcription?: string;
  /**
   * A Live Photo's movie: the `.MOV` Messages keeps beside the still (same folder, same name), which no row of its
   * own names. Its `guid` is the still's with `:movie` added.
   */
  livePhoto?: Attachment;
  /**
   * The device's file held other bytes at a later run than the one that archived `path` (the same row, its file
   * replaced): `path` and `size` stay the copy first archived, and each later content is kept as a copy of its own.
   */
  replaced?: ReplacedFile;
}

export interface ReplacedFile {
  /** When the run that first archived the copy began, when the store knows. */
  archivedAt?: Date;
  /** The contents found since, each once, in the order found. */
  later: FileVersion[];
}

export interface FileVersion {
  /** The copy in the archive folder. */
  path: string;
  size: number;
  /** When the run that found it began. */
  foundAt: Date;
}

export type AppBalloonType =
  | 'link'
  | 'music'
  | 'place'
  | 'app-store'
  | 'collaboration'
  | 'app'
  | 'handwriting'
  | 'digital-touch'
  | 'unknown';

export interface AppBalloon {
  type: AppBalloonType;
  /** Bundle id of the balloon provider, when known. */
  bundleId?: string;
  appName?: string;
  title?: string;
  subtitle?: string;
  summary?: string;
  url?: string;
  /** Caption lines an app balloon shows (caption, subcaption, …), in display order. */
  captions: string[];
  /** Handwritten messages and Digital Touch: what to draw. */
  drawing?: Drawing;
  /** A poll of the Polls app, with every vote cast on it since (the votes are no messages of their own). */
  poll?: Poll;
  /** A vote shown as a message of its own, as its poll is not among the messages exported: what its sender chose. */
  ballot?: Ballot;
}

/** A poll as it stands: its options in order, each with who added it and who votes for it now. */
export interface Poll {
  /** The question, when the poll carries one (Messages usually sends it as a message of its own, next to the poll). */
  question?: string;
  options: PollOption[];
}

export interface PollOption {
  /** The option's identifier, which votes name. */
  id: string;
  /** Undefined for an option a vote names that no version of the poll in the database lists. */
  text?: string;
  /** Who added it: the poll's creator, or someone who added it later; undefined when not known. */
  addedBy?: Person;
  /** The votes for it now, oldest first (a vote changed or taken back since is not among them). */
  votes: PollVote[];
}

export interface PollVote {
  voter: Person;
  /** When the vote was cast (as the server dated it, else its message's date). */
  date: Date;
}

/** What one vote message says: the options its sender votes for now (none: every vote taken back). */
export interface Ballot {
  /** The GUID of the poll voted in. */
  pollGuid: string;
  /** Each option chosen, with its text when the database still has a version of the poll that lists it. */
  choices: { id: string; text?: string }[];
}

/** A drawing as strokes of points [x, y, stroke width] in a width × height space (y down). */
export interface Drawing {
  width: number;
  height: number;
  strokes: [x: number, y: number, width: number][][];
  /** Each stroke's color ("#rrggbb"); without one, a stroke takes the text's color. */
  strokeColors?: string[];
  /** Closed shapes filled with a color (a heart, a kiss), drawn before the strokes. */
  fills?: { points: [x: number, y: number][]; color: string }[];
  /** The canvas's color (Digital Touch draws on black); without it the drawing has none. */
  background?: string;
}

export type TapbackKind =
  | 'love'
  | 'like'
  | 'dislike'
  | 'laugh'
  | 'emphasize'
  | 'question'
  | 'emoji'
  | 'sticker';

export interface Tapback {
  kind: TapbackKind;
  /** The emoji for 'emoji' tapbacks; a conventional emoji for the classic six. */
  emoji: string;
  sender: Person;
  date: Date;
  /** Sticker tapbacks carry their image. */
  sticker?: Attachment;
  /** Its sender took it back then: the removal's time, or that of the tapback of theirs that replaced it. */
  removedAt?: Date;
  /** Kept by an archive folder after its sources lost it (no removal seen): the time of the first run that missed it. */
  absentSince?: Date;
  /**
   * Kept by an archive folder: a source that lacked its message held it (a device that purged the message), so
   * the message's sources lacking it do not make it gone. Stored only; never rendered.
   */
  heldApart?: boolean;
}

export type GroupEventType =
  | 'renamed'
  | 'member-added'
  | 'member-removed'
  | 'member-left'
  | 'photo-changed'
  | 'photo-removed'
  | 'other';

export interface GroupEvent {
  type: GroupEventType;
  actor: Person;
  /** Who was added or removed. */
  target?: Person;
  /** The new group name, for 'renamed'. */
  name?: string;
  /** A complete sentence describing the event, e.g. "Alice named the conversation “Trip”". */
  description: string;
}
