// Rows as the reader hands them to the normalizer. Dates are milliseconds since 2001-01-01 UTC
// (Apple's epoch), already scaled from nanoseconds or seconds; 0 means "not set".

export interface HandleRow {
  rowId: number;
  id: string;
  service: string;
}

export interface ChatRow {
  rowId: number;
  guid: string;
  identifier: string;
  serviceName: string;
  displayName: string | null;
  /** 43 = group, 45 = one-to-one. */
  style: number;
  handleIds: number[];
  /** Of a group: the handles that wrote in it or were added to or removed from it, but are not among handleIds (left, removed). */
  formerHandleIds: number[];
}

export interface MessageRow {
  rowId: number;
  guid: string;
  text: string | null;
  attributedBody: Buffer | null;
  handleId: number;
  isFromMe: number;
  service: string | null;
  date: number;
  /** The nanoseconds of `date` below its millisecond, as the database stores it (0 in one that stores seconds). */
  dateNanos: number;
  dateRead: number;
  dateDelivered: number;
  datePlayed: number;
  dateEdited: number;
  dateRetracted: number;
  itemType: number;
  groupActionType: number;
  otherHandle: number;
  /** A location share: 0 when it began, 1 when it ended. */
  shareStatus: number;
  /** A location share: 0 when the owner shares with other_handle (whatever is_from_me says), NULL on older schemas. */
  shareDirection: number | null;
  groupTitle: string | null;
  associatedType: number;
  associatedGuid: string | null;
  associatedEmoji: string | null;
  balloonBundleId: string | null;
  payloadData: Buffer | null;
  effectId: string | null;
  summaryInfo: Buffer | null;
  threadOriginatorGuid: string | null;
  threadOriginatorPart: string | null;
  isAudioMessage: number;
  subject: string | null;
  /** Why sending failed: 0 when it did not (Messages shows a message of the owner's with another as Not Delivered). */
  error: number;
  /** 2: written to be sent later (Send Later); `isSent` 0 until it went. */
  scheduleType: number;
  isSent: number;
  /** 1: sent as SMS after iMessage failed ("Sent as Text Message"). */
  wasDowngraded: number;
  /** 1: Messages filed it as junk (0 on schemas without the column). */
  isSpam: number;
  /** The owner's own phone number or email the message was sent from or received on (NULL or empty when not said). */
  destinationCallerId: string | null;
  /** The owner's account it went through: its handle behind a kind, `P:+15555550199` or `E:owner@example.com`. */
  account: string | null;
  /** Fields a damaged page of the database keeps from being read (left empty); absent when all were read. */
  unreadable?: string[];
}

/** A tapback or sticker placed on another message: only what the tapback index needs. */
export type ReactionRow = Pick<MessageRow, 'rowId' | 'guid' | 'handleId' | 'isFromMe' | 'date' | 'associatedType' | 'associatedGuid' | 'associatedEmoji'>;

/** A chat's ROWID (null: the messages of no chat) and one pair of its messages' destinationCallerId and account. */
export type OwnerColumns = [number | null, string | null, string | null];

export interface AttachmentRow {
  messageId: number;
  rowId: number;
  guid: string;
  filename: string | null;
  mimeType: string | null;
  uti: string | null;
  transferName: string | null;
  totalBytes: number;
  isSticker: number;
  stickerUserInfo: Buffer | null;
  attributionInfo: Buffer | null;
  emojiDescription: string | null;
  /** Seconds since 2001 in the database; scaled to milliseconds here. */
  createdDate: number;
  /** 1: Messages offloaded the file to iCloud (see `purgedRow` in messages-reader.ts); 0, or null on a damaged page, otherwise. */
  purged: number | null;
  /** Fields a damaged page of the database keeps from being read (left empty); absent when all were read. */
  unreadable?: string[];
}
