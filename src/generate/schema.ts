// DDL for the chat.db tables the generator fills, following the column layout of a recent macOS
// Messages database. Columns marked `modern` are absent from the legacy (older macOS) variant.
import type Database from 'better-sqlite3';

interface Column {
  name: string;
  /** Declared type, '' when the real schema declares none. */
  type: string;
  /** SQL text of the DEFAULT clause, if any. */
  default?: string;
  /** Extra column constraint text (PRIMARY KEY, NOT NULL, UNIQUE, REFERENCES …). */
  constraint?: string;
  /** Added in newer macOS releases; dropped by the legacy variant. */
  modern?: boolean;
}

interface Table {
  name: string;
  columns: Column[];
  /** Table constraints appended after the columns. */
  constraints?: string[];
}

const int = (name: string, dflt?: string, modern?: boolean): Column => ({ name, type: 'INTEGER', default: dflt, modern });
const text = (name: string, modern?: boolean, dflt?: string): Column => ({ name, type: 'TEXT', modern, default: dflt });
const blob = (name: string, modern?: boolean): Column => ({ name, type: 'BLOB', modern });
const rowid = (extra = ''): Column => ({ name: 'ROWID', type: 'INTEGER', constraint: `PRIMARY KEY AUTOINCREMENT${extra}` });
const ref = (name: string, table: string): Column => ({
  name,
  type: 'INTEGER',
  constraint: `REFERENCES ${table} (ROWID) ON DELETE CASCADE`,
});

const MESSAGE: Table = {
  name: 'message',
  columns: [
    rowid(),
    { name: 'guid', type: 'TEXT', constraint: 'UNIQUE NOT NULL' },
    text('text'),
    int('replace', '0'),
    text('service_center'),
    int('handle_id', '0'),
    text('subject'),
    text('country'),
    blob('attributedBody'),
    int('version', '0'),
    int('type', '0'),
    text('service'),
    text('account'),
    text('account_guid'),
    int('error', '0'),
    int('date'),
    int('date_read'),
    int('date_delivered'),
    ...['is_delivered', 'is_finished', 'is_emote', 'is_from_me', 'is_empty', 'is_delayed', 'is_auto_reply',
      'is_prepared', 'is_read', 'is_system_message', 'is_sent', 'has_dd_results', 'is_service_message',
      'is_forward', 'was_downgraded', 'is_archive', 'cache_has_attachments'].map((n) => int(n, '0')),
    text('cache_roomnames'),
    int('was_data_detected', '0'),
    int('was_deduplicated', '0'),
    int('is_audio_message', '0'),
    int('is_played', '0'),
    int('date_played'),
    int('item_type', '0'),
    int('other_handle', '0'),
    text('group_title'),
    ...['group_action_type', 'share_status', 'share_direction', 'is_expirable', 'expire_state',
      'message_action_type', 'message_source'].map((n) => int(n, '0')),
    text('associated_message_guid'),
    int('associated_message_type', '0'),
    text('balloon_bundle_id'),
    blob('payload_data'),
    text('expressive_send_style_id'),
    int('associated_message_range_location', '0'),
    int('associated_message_range_length', '0'),
    int('time_expressive_send_played'),
    blob('message_summary_info', true),
    int('ck_sync_state', '0'),
    text('ck_record_id'),
    text('ck_record_change_tag'),
    text('destination_caller_id'),
    int('is_corrupt', '0'),
    text('reply_to_guid'),
    int('sort_id'),
    int('is_spam', '0'),
    int('has_unseen_mention', '0', true),
    text('thread_originator_guid', true),
    text('thread_originator_part', true),
    text('syndication_ranges', true),
    text('synced_syndication_ranges', true),
    int('was_delivered_quietly', '0', true),
    int('did_notify_recipient', '0', true),
    int('date_retracted', '0', true),
    int('date_edited', '0', true),
    int('was_detonated', '0', true),
    int('part_count', undefined, true),
    int('is_stewie', '0', true),
    int('is_kt_verified', '0', true),
    int('is_sos', '0', true),
    int('is_critical', '0', true),
    text('bia_reference_id', true, 'NULL'),
    text('fallback_hash', true, 'NULL'),
    text('associated_message_emoji', true, 'NULL'),
    int('is_pending_satellite_send', '0', true),
    int('needs_relay', '0', true),
    int('schedule_type', '0', true),
    int('schedule_state', '0', true),
    int('sent_or_received_off_grid', '0', true),
  ],
};

const CHAT: Table = {
  name: 'chat',
  columns: [
    rowid(),
    { name: 'guid', type: 'TEXT', constraint: 'UNIQUE NOT NULL' },
    int('style'),
    int('state'),
    text('account_id'),
    blob('properties'),
    text('chat_identifier'),
    text('service_name'),
    text('room_name'),
    text('account_login'),
    int('is_archived', '0'),
    text('last_addressed_handle'),
    text('display_name'),
    text('group_id'),
    int('is_filtered', '0'),
    int('successful_query'),
    text('engram_id'),
    text('server_change_token'),
    int('ck_sync_state', '0'),
    text('original_group_id'),
    int('last_read_message_timestamp', '0'),
    text('cloudkit_record_id', true),
    text('last_addressed_sim_id', true),
    int('is_blackholed', '0', true),
    int('syndication_date', '0', true),
    int('syndication_type', '0', true),
    int('is_recovered', '0', true),
    int('is_deleting_incoming_messages', '0', true),
  ],
};

const HANDLE: Table = {
  name: 'handle',
  columns: [
    rowid(' UNIQUE'),
    { name: 'id', type: 'TEXT', constraint: 'NOT NULL' },
    text('country'),
    { name: 'service', type: 'TEXT', constraint: 'NOT NULL' },
    text('uncanonicalized_id'),
    text('person_centric_id', true),
  ],
  constraints: ['UNIQUE (id, service)'],
};

const ATTACHMENT: Table = {
  name: 'attachment',
  columns: [
    rowid(),
    { name: 'guid', type: 'TEXT', constraint: 'UNIQUE NOT NULL' },
    int('created_date', '0'),
    int('start_date', '0'),
    text('filename'),
    text('uti'),
    text('mime_type'),
    int('transfer_state', '0'),
    int('is_outgoing', '0'),
    blob('user_info'),
    text('transfer_name'),
    int('total_bytes', '0'),
    int('is_sticker', '0'),
    blob('sticker_user_info'),
    blob('attribution_info'),
    int('hide_attachment', '0'),
    int('ck_sync_state', '0'),
    blob('ck_server_change_token_blob'),
    text('ck_record_id'),
    { name: 'original_guid', type: 'TEXT', constraint: 'UNIQUE NOT NULL' },
    int('is_commsafety_sensitive', '0', true),
    text('emoji_image_content_identifier', true, 'NULL'),
    text('emoji_image_short_description', true, 'NULL'),
    int('preview_generation_state', '0', true),
  ],
};

const CHAT_MESSAGE_JOIN: Table = {
  name: 'chat_message_join',
  columns: [ref('chat_id', 'chat'), ref('message_id', 'message'), int('message_date', '0')],
  constraints: ['PRIMARY KEY (chat_id, message_id)'],
};

const CHAT_HANDLE_JOIN: Table = {
  name: 'chat_handle_join',
  columns: [ref('chat_id', 'chat'), ref('handle_id', 'handle')],
  constraints: ['UNIQUE(chat_id, handle_id)'],
};

const MESSAGE_ATTACHMENT_JOIN: Table = {
  name: 'message_attachment_join',
  columns: [ref('message_id', 'message'), ref('attachment_id', 'attachment')],
  constraints: ['UNIQUE(message_id, attachment_id)'],
};

const DELETED_MESSAGES: Table = {
  name: 'deleted_messages',
  columns: [rowid(' UNIQUE'), { name: 'guid', type: 'TEXT', constraint: 'NOT NULL' }],
};

export const TABLES: readonly Table[] = [
  MESSAGE, CHAT, HANDLE, ATTACHMENT, CHAT_MESSAGE_JOIN, CHAT_HANDLE_JOIN, MESSAGE_ATTACHMENT_JOIN, DELETED_MESSAGES,
];

/** Indexes the reader relies on; `modern` ones index columns the legacy variant lacks. */
const INDEXES: ReadonlyArray<{ name: string; table: string; columns: string; modern?: boolean }> = [
  { name: 'message_attachment_join_idx_message_id', table: 'message_attachment_join', columns: 'message_id' },
  { name: 'message_attachment_join_idx_attachment_id', table: 'message_attachment_join', columns: 'attachment_id' },
  { name: 'chat_idx_chat_identifier_service_name', table: 'chat', columns: 'chat_identifier, service_name' },
  { name: 'chat_idx_chat_identifier', table: 'chat', columns: 'chat_identifier' },
  { name: 'chat_idx_chat_room_name_service_name', table: 'chat', columns: 'room_name, service_name' },
  { name: 'chat_idx_is_archived', table: 'chat', columns: 'is_archived' },
  { name: 'chat_idx_group_id', table: 'chat', columns: 'group_id' },
  { name: 'chat_handle_join_idx_handle_id', table: 'chat_handle_join', columns: 'handle_id' },
  { name: 'chat_message_join_idx_message_id_only', table: 'chat_message_join', columns: 'message_id' },
  { name: 'chat_message_join_idx_chat_id', table: 'chat_message_join', columns: 'chat_id' },
  {
    name: 'chat_message_join_idx_message_date_id_chat_id',
    table: 'chat_message_join',
    columns: 'chat_id, message_date, message_id',
  },
  { name: 'message_idx_date', table: 'message', columns: 'date' },
  { name: 'message_idx_handle', table: 'message', columns: 'handle_id, date' },
  { name: 'message_idx_handle_id', table: 'message', columns: 'handle_id' },
  { name: 'message_idx_is_sent_is_from_me_error', table: 'message', columns: 'is_sent, is_from_me, error' },
  { name: 'message_idx_associated_message', table: 'message', columns: 'associated_message_guid' },
  { name: 'message_idx_cache_has_attachments', table: 'message', columns: 'cache_has_attachments' },
  { name: 'message_idx_other_handle', table: 'message', columns: 'other_handle' },
  { name: 'message_idx_was_downgraded', table: 'message', columns: 'was_downgraded' },
  { name: 'message_idx_expire_state', table: 'message', columns: 'expire_state' },
  { name: 'message_idx_is_read', table: 'message', columns: 'is_read, is_from_me, is_finished' },
  { name: 'message_idx_isRead_isFromMe_itemType', table: 'message', columns: 'is_read, is_from_me, item_type' },
  { name: 'message_idx_failed', table: 'message', columns: 'is_finished, is_from_me, error' },
  { name: 'message_idx_thread_originator_guid', table: 'message', columns: 'thread_originator_guid', modern: true },
  { name: 'message_idx_schedule_state', table: 'message', columns: 'schedule_state', modern: true },
  { name: 'attachment_idx_is_sticker', table: 'attachment', columns: 'is_sticker' },
];

export function columnsOf(table: Table, legacy: boolean): Column[] {
  return table.columns.filter((c) => !(legacy && c.modern));
}

function createTableSql(table: Table, legacy: boolean): string {
  const defs = columnsOf(table, legacy).map((c) =>
    [c.name, c.type, c.constraint, c.default !== undefined ? `DEFAULT ${c.default}` : undefined]
      .filter(Boolean)
      .join(' '),
  );
  return `CREATE TABLE ${table.name} (${[...defs, ...(table.constraints ?? [])].join(', ')})`;
}

/** Creates every table and index in an empty database. */
export function createSchema(db: Database.Database, legacy = false): void {
  for (const table of TABLES) db.exec(createTableSql(table, legacy));
  for (const ix of INDEXES) {
    if (legacy && ix.modern) continue;
    db.exec(`CREATE INDEX ${ix.name} ON ${ix.table}(${ix.columns})`);
  }
}

/** Names of the columns a table has in the chosen variant, for building INSERT statements. */
export function columnNames(tableName: string, legacy: boolean): string[] {
  const table = TABLES.find((t) => t.name === tableName);
  if (!table) throw new Error(`unknown table ${tableName}`);
  return columnsOf(table, legacy).map((c) => c.name);
}
