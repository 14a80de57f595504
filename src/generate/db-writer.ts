// Prepared INSERT statements for the generated chat.db. Rows are plain objects; columns the
// chosen schema variant lacks (legacy) are left out, columns a row does not name get their default.
import type Database from 'better-sqlite3';
import { columnNames } from './schema.js';

export type Row = Record<string, string | number | bigint | Buffer | null>;

class TableInserter {
  private readonly statement: Database.Statement;
  private readonly columns: string[];

  constructor(db: Database.Database, table: string, columns: readonly string[], legacy: boolean) {
    const available = new Set(columnNames(table, legacy));
    this.columns = columns.filter((c) => available.has(c));
    this.statement = db.prepare(
      `INSERT INTO ${table} (${this.columns.join(', ')}) VALUES (${this.columns.map(() => '?').join(', ')})`,
    );
  }

  insert(row: Row): number {
    return Number(this.statement.run(this.columns.map((c) => row[c] ?? null)).lastInsertRowid);
  }
}

/** Every message column the generator sets, with the value used when a row does not name it. */
const MESSAGE_DEFAULTS: Row = {
  guid: null, text: null, handle_id: 0, subject: null, attributedBody: null, version: 10, type: 0,
  service: null, account: null, account_guid: null, date: 0, date_read: 0, date_delivered: 0,
  is_delivered: 1, is_finished: 1, is_from_me: 0, is_read: 0, is_sent: 0, cache_has_attachments: 0,
  cache_roomnames: null, is_audio_message: 0, is_played: 0, date_played: 0, item_type: 0, other_handle: 0,
  group_title: null, group_action_type: 0, associated_message_guid: null, associated_message_type: 0,
  balloon_bundle_id: null, payload_data: null, expressive_send_style_id: null,
  associated_message_range_location: 0, associated_message_range_length: 0, message_summary_info: null,
  destination_caller_id: null, reply_to_guid: null, sort_id: 0, has_dd_results: 0, was_data_detected: 0,
  thread_originator_guid: null, thread_originator_part: null, date_retracted: 0, date_edited: 0,
  part_count: null, associated_message_emoji: null, is_spam: 0,
};

const ATTACHMENT_COLUMNS = [
  'guid', 'created_date', 'start_date', 'filename', 'uti', 'mime_type', 'transfer_state', 'is_outgoing',
  'transfer_name', 'total_bytes', 'is_sticker', 'sticker_user_info', 'attribution_info', 'original_guid',
  'emoji_image_short_description', 'ck_sync_state', 'ck_record_id',
];

export class ChatDbWriter {
  private readonly handle: TableInserter;
  private readonly chat: TableInserter;
  private readonly chatHandle: TableInserter;
  private readonly message: TableInserter;
  private readonly chatMessage: TableInserter;
  private readonly attachment: TableInserter;
  private readonly messageAttachment: TableInserter;
  private readonly deleted: TableInserter;

  constructor(db: Database.Database, legacy: boolean) {
    const t = (table: string, columns: readonly string[]) => new TableInserter(db, table, columns, legacy);
    this.handle = t('handle', ['id', 'country', 'service', 'uncanonicalized_id', 'person_centric_id']);
    this.chat = t('chat', [
      'guid', 'style', 'state', 'account_id', 'chat_identifier', 'service_name', 'room_name', 'account_login',
      'display_name', 'group_id', 'is_filtered', 'successful_query', 'last_read_message_timestamp',
    ]);
    this.chatHandle = t('chat_handle_join', ['chat_id', 'handle_id']);
    this.message = t('message', Object.keys(MESSAGE_DEFAULTS));
    this.chatMessage = t('chat_message_join', ['chat_id', 'message_id', 'message_date']);
    this.attachment = t('attachment', ATTACHMENT_COLUMNS);
    this.messageAttachment = t('message_attachment_join', ['message_id', 'attachment_id']);
    this.deleted = t('deleted_messages', ['guid']);
  }

  addHandle(row: Row): number {
    return this.handle.insert(row);
  }

  addChat(row: Row, handleIds: readonly number[]): number {
    const chatId = this.chat.insert(row);
    for (const handleId of handleIds) this.chatHandle.insert({ chat_id: chatId, handle_id: handleId });
    return chatId;
  }

  /** Inserts the message and joins it to its chat with message_date = message.date. */
  addMessage(chatId: number, row: Row): number {
    const full = { ...MESSAGE_DEFAULTS, ...row };
    const messageId = this.message.insert(full);
    this.chatMessage.insert({ chat_id: chatId, message_id: messageId, message_date: full.date });
    return messageId;
  }

  addAttachment(messageId: number, row: Row): number {
    const attachmentId = this.attachment.insert(row);
    this.messageAttachment.insert({ message_id: messageId, attachment_id: attachmentId });
    return attachmentId;
  }

  addDeletedMessage(guid: string): void {
    this.deleted.insert({ guid });
  }
}
