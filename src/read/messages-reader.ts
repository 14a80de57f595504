import type Database from 'better-sqlite3';
import type { AttachmentRow, ChatRow, HandleRow, MessageRow, OwnerColumns, ReactionRow } from './rows.js';
import { Statements } from '../sqlite/statements.js';
import { withSmallCache } from '../sqlite/small-cache.js';
import { joinRows, readableRowIds, salvage } from './salvage.js';
import { POLL_UPDATE, POLL_VOTE, POLLS_EXTENSION } from '../decode/polls.js';

/** A conversation's rows: what to show, and the reactions to attach. */
export interface ConversationRows {
  /** Messages to show, in display order. */
  ids: Float64Array;
  reactionIds: number[];
  /**
   * Votes on polls and later versions of polls (options added), whenever sent: folded into the poll they
   * aim at, or shown on their own (see src/normalize/polls.ts). Those in the window say where they would go in `ids`.
   */
  pollRows: PollRow[];
  /** Dates of the first and last message shown (milliseconds since 2001). */
  first: number;
  last: number;
  /**
   * What changes when the chats gain, lose, edit or unsend a message (or a reaction), whatever the window:
   * row count, newest row, and the sums of edit and unsend dates.
   */
  mark: string;
}

/** A vote or a poll's later version: its row id, its date (ms since 2001), and its place among the messages shown when in the window. */
export interface PollRow {
  id: number;
  when: number;
  /** The index in `ids` it would take (before the message shown there); undefined outside the window. */
  at?: number;
}

/** The association type the reader gives a poll's later version (associated_message_type 2 on a Polls balloon). */
const POLL_UPDATE_ROW = -2;

/** A chat's size as the join table alone tells it, without reading any message. */
export interface ChatSize {
  /** Messages in the window, reactions included (a guess: the join table's dates may lag). */
  estimate: number;
  /** Date of its latest message (milliseconds since 2001); 0 when the schema keeps no dates there. */
  latest: number;
}

/** What a look at every group message finds: who took part, the namings, and the changes of membership. */
export interface GroupActivity {
  /** Each group chat's handles that wrote in it (reactions too) or were added to or removed from it, by the chat's ROWID. */
  tookPart: Map<number, number[]>;
  /** Every naming of a group chat (item_type 2): its ROWID, the name (null: the name was removed) and when (ms since 2001). */
  namings: [number, string | null, number][];
  /**
   * Every row that may change a membership (item_type 1: other_handle added or removed; 3: the sender left, or
   * the group photo changed): the chat's ROWID, the handle, item_type, group_action_type and when (ms since 2001).
   */
  memberships: [number, number, number, number, number][];
}

/** See `MessagesReader.reach`. */
export interface Reach {
  rowId: number;
  /** ms since 2001. */
  date: number;
}

/** A time window in milliseconds since 2001-01-01 UTC: [since, until). */
export interface DateWindow {
  since?: number;
  until?: number;
}

const BATCH = 100;

/**
 * SQL over the real chat.db schema, tolerant of older schemas: every column the tool reads but an
 * older macOS lacks is read as NULL. Messages are streamed in batches so nothing grows with the
 * size of the database. A query stopped by a damaged page is read again a row at a time, leaving out
 * the rows the damage hides (the database's check lists them).
 */
export class MessagesReader {
  private readonly message: Selection<MessageRow>;
  private readonly reaction: Selection<ReactionRow>;
  private readonly attachment: Selection<AttachmentRow>;
  private readonly statements: Statements;
  /**
   * `m.associated_message_type` (POLL_UPDATE_ROW for a poll's later version), or NULL on schemas older than
   * tapbacks (before macOS 10.12).
   */
  private readonly reactionType: string;
  /**
   * For change marks: the raw edit and unsend dates (0 on schemas without them), the ROWID of a message
   * that did not go out (sending failed, or scheduled for later), as sending it later changes nothing else, and
   * that of a message filed as junk, as moving it to Junk changes nothing else either.
   */
  private readonly changeDates: string[];
  /** chat_message_join keeps each message's date (not on the oldest schemas). */
  private readonly datedJoins: boolean;
  private readonly messageColumns: Set<string>;
  private readonly guid = selection<{ rowId: number; guid: string }>(['m.ROWID AS rowId', 'm.guid AS guid']);
  /** Whether a damaged page stopped a query: rows were then left out, which only the check can name. */
  metDamage = false;
  private activity?: GroupActivity;
  /** Join tables read row by row past a damaged page, kept for the next conversation. */
  private readonly joins = new Map<string, [number, number][]>();

  constructor(private readonly db: Database.Database) {
    // Found by a short key (the query and its number of parameters): a query's text is built only to prepare it.
    this.statements = new Statements(db);
    const message = columnsOf(db, 'message');
    this.messageColumns = message;
    const attachment = columnsOf(db, 'attachment');
    this.reactionType = reactionTypeColumn(message);
    this.datedJoins = columnsOf(db, 'chat_message_join').has('message_date');
    this.changeDates = [...['date_edited', 'date_retracted'].map((name) => (message.has(name) ? `m.${name}` : '0')), undeliveredRow(message), junkRow(message)];
    const columns = messageColumns(message);
    this.message = selection(columns);
    const reactionAliases = ['rowId', 'guid', 'handleId', 'isFromMe', 'date', 'associatedType', 'associatedGuid', 'associatedEmoji'];
    this.reaction = selection(columns.filter((c) => reactionAliases.some((alias) => c.endsWith(` AS ${alias}`))));
    this.attachment = selection(attachmentColumns(attachment));
  }

  handles(): HandleRow[] {
    const sql = 'SELECT ROWID AS rowId, id, service FROM handle';
    return this.salvage(
      () => this.db.prepare(sql).all() as HandleRow[],
      () => this.readable('handle', readableRowIds(this.db, 'handle'), (id) => this.statements.get(`${sql} WHERE ROWID = ?`).all(id) as HandleRow[]),
    );
  }

  /** The chats, each group's `formerHandleIds` from `tookPart` (see `GroupActivity`). */
  chats(tookPart: Map<number, number[]> = new Map()): ChatRow[] {
    const chatColumns = columnsOf(this.db, 'chat');
    const c = columnReader('c', chatColumns);
    const columns = `c.ROWID AS rowId, c.guid AS guid, ${c('chat_identifier', 'identifier', "''")}, ${c('service_name', 'serviceName', "''")},
                ${c('display_name', 'displayName')}, ${c('style', 'style', '0')}`;
    type Row = Omit<ChatRow, 'handleIds'> & { handleList: string | null };
    const rows = this.salvage(
      () => this.db.prepare(`SELECT ${columns}, (SELECT group_concat(handle_id) FROM chat_handle_join WHERE chat_id = c.ROWID) AS handleList FROM chat c ORDER BY c.ROWID`).all() as Row[],
      () => {
        const handles = groupPairs(this.joinRows('chat_handle_join', 'chat_id', 'handle_id'));
        const one = this.db.prepare(`SELECT ${columns} FROM chat c WHERE c.ROWID = ?`);
        return this.readable('chat', readableRowIds(this.db, 'chat'), (id) => (one.all(id) as Row[]).map((row) => ({ ...row, handleList: handles.get(id)?.sort((a, b) => a - b).join(',') ?? null })));
      },
    );
    return rows.map(({ handleList, ...chat }) => {
      const handleIds = handleList ? handleList.split(',').map(Number) : [];
      return {
        ...chat,
        identifier: chat.identifier ?? '',
        serviceName: chat.serviceName ?? '',
        handleIds,
        formerHandleIds: (tookPart.get(chat.rowId) ?? []).filter((id) => !handleIds.includes(id)),
      };
    });
  }

  /**
   * How far the database had got when it was read: the highest ROWID it ever gave a message (the AUTOINCREMENT
   * counter, which deleting messages leaves as it was; the highest ROWID there is without one) and when its newest
   * message was sent (ms since 2001; 0: none). An older copy of the same database is behind a newer one in both.
   * Undefined past a damaged page.
   */
  reach(): Reach | undefined {
    const counted = this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get() !== undefined;
    const counter = counted ? "(SELECT seq FROM sqlite_sequence WHERE name = 'message')" : '0';
    // The newest date by the date index (a MAX of every row's date in ms would read them all).
    const newest = this.messageColumns.has('date') ? appleMs('(SELECT MAX(date) FROM message)') : '0';
    const sql = `SELECT MAX(IFNULL((SELECT MAX(ROWID) FROM message), 0), IFNULL(${counter}, 0)), IFNULL(${newest}, 0)`;
    return this.salvage(() => {
      const [rowId, date] = this.db.prepare(sql).raw(true).get() as [number, number];
      return { rowId, date };
    }, () => undefined);
  }

  /**
   * What one look at every group message finds (see `GroupActivity`), found once. Group messages are visited in
   * ROWID order, each table page once: visited chat by chat (the join table's order), on the 200,000-message bench
   * database, the three findings took 0.5-0.7 s as three queries and 0.4 s as one; in ROWID order, 0.2-0.3 s.
   * The sort into ROWID order and the materialized rows, in the default 16 MB cache, raised the 1M bench's peak
   * RSS by 16-18 MB (243-249 -> 260-262 MB); with a small cache the query alone is faster too (200k: 0.20-0.31 ->
   * 0.14 s; 1M: 0.69-0.83 -> 0.54-0.61 s).
   */
  groupActivity(): GroupActivity {
    this.activity ??= this.salvage(() => withSmallCache(this.db, () => this.readGroupActivity()), () => ({ tookPart: new Map(), namings: [], memberships: [] }));
    return this.activity;
  }

  private readGroupActivity(): GroupActivity {
    const has = (name: string) => this.messageColumns.has(name);
    const found: GroupActivity = { tookPart: new Map(), namings: [], memberships: [] };
    const parts = [
      has('handle_id') ? 'SELECT DISTINCT 1, chat, sender, CASE WHEN item = 1 THEN other ELSE 0 END, 0, 0 FROM g' : '',
      ['item_type', 'group_title', 'date'].every(has) ? 'SELECT 2, chat, title, date, 0, 0 FROM g WHERE item = 2' : '',
      // The owner leaving is no one's (0), as the owner writing takes no part.
      ['item_type', 'handle_id', 'other_handle', 'date'].every(has) ? 'SELECT 3, chat, CASE WHEN item = 1 THEN other ELSE sender END, item, action, date FROM g WHERE item IN (1, 3)' : '',
    ].filter(Boolean);
    if (!columnsOf(this.db, 'chat').has('style') || parts.length === 0) return found;
    const m = (name: string, fallback: string) => (has(name) ? `m.${name}` : fallback);
    const sender = has('is_from_me') ? `CASE WHEN m.is_from_me THEN 0 ELSE ${m('handle_id', '0')} END` : m('handle_id', '0');
    const sql = `WITH ids AS MATERIALIZED (SELECT message_id, chat_id FROM chat_message_join
        WHERE chat_id IN (SELECT ROWID FROM chat WHERE style = 43) ORDER BY message_id),
      g AS MATERIALIZED (SELECT ids.chat_id AS chat, ${sender} AS sender, ${m('item_type', '0')} AS item, ${m('other_handle', '0')} AS other,
        ${m('group_action_type', '0')} AS action, ${m('group_title', 'NULL')} AS title, ${has('date') ? appleMs('m.date') : '0'} AS date
        FROM ids CROSS JOIN message m ON m.ROWID = ids.message_id)
      ${parts.join(' UNION ALL ')}`;
    const tookPart = new Map<number, Set<number>>();
    for (const [kind, chat, a, b, c, d] of this.db.prepare(sql).raw(true).iterate() as Iterable<[number, number, number | string | null, number, number, number]>) {
      if (kind === 1) {
        const seen = tookPart.get(chat) ?? new Set<number>();
        for (const id of [a as number, b]) if (id) seen.add(id);
        tookPart.set(chat, seen);
      } else if (kind === 2) found.namings.push([chat, a as string | null, b]);
      else found.memberships.push([chat, a as number, b, c, d]);
    }
    found.tookPart = new Map([...tookPart].sort(([x], [y]) => x - y).map(([chat, ids]) => [chat, [...ids].sort((x, y) => x - y)]));
    return found;
  }

  /**
   * Every chat with at least one message, sized cheaply (one pass over the join table), and a guess
   * at how many messages belong to no chat.
   */
  chatSizes(window: DateWindow): { byChat: Map<number, ChatSize>; unclaimed: number } {
    const dated = columnsOf(this.db, 'chat_message_join').has('message_date');
    const date = appleMs('message_date');
    // An undated row (message_date 0) may be anywhere: it counts.
    const sql = dated
      ? `SELECT chat_id, SUM(message_date = 0 OR (${inWindow(date, window)})), MAX(${date}) FROM chat_message_join GROUP BY chat_id`
      : 'SELECT chat_id, COUNT(*), 0 FROM chat_message_join GROUP BY chat_id';
    // Past a damaged page, each chat is sized by its rows of the join table that can be read, undated.
    const rows = this.salvage(
      () => this.db.prepare(sql).raw(true).all() as [number, number, number][],
      () => [...groupPairs(this.joinRows('chat_message_join', 'chat_id', 'message_id'))].map(([chat, messages]): [number, number, number] => [chat, messages.length, 0]),
    );
    const unclaimed = this.salvage(
      () => this.db.prepare('SELECT (SELECT COUNT(*) FROM message) - (SELECT COUNT(DISTINCT message_id) FROM chat_message_join)').pluck().get() as number,
      () => 0,
    );
    return {
      byChat: new Map(rows.map(([chat, estimate, latest]) => [chat, { estimate, latest }])),
      unclaimed: Math.max(0, unclaimed),
    };
  }

  /**
   * The owner's handles as the messages conversations show name them (reactions, votes and polls' later versions
   * left out, as `conversationRows` leaves them): each chat's pairs of destination_caller_id and account (null: the
   * messages of no chat), each once, in one pass over the messages in ROWID order. Only a conversation's record asks
   * (an export's store collects them as it reads the messages). Empty past a damaged page.
   */
  ownerColumns(window: DateWindow): OwnerColumns[] {
    const has = (name: string) => this.messageColumns.has(name);
    if (!has('destination_caller_id') && !has('account')) return [];
    const m = (name: string) => (has(name) ? `m.${name}` : 'NULL');
    const type = `IFNULL(${this.reactionType}, 0)`;
    // A message joined to chats the database lacks only is of no chat, as `conversationRows` finds those.
    const sql = `SELECT DISTINCT c.ROWID, ${m('destination_caller_id')}, ${m('account')} FROM message m
        LEFT JOIN chat_message_join j ON j.message_id = m.ROWID LEFT JOIN chat c ON c.ROWID = j.chat_id
      WHERE ${type} NOT BETWEEN 1000 AND ${POLL_VOTE} AND ${type} != ${POLL_UPDATE_ROW} AND ${inWindow(appleMs('m.date'), window)}
        AND (c.ROWID IS NOT NULL OR NOT EXISTS (SELECT 1 FROM chat_message_join k JOIN chat d ON d.ROWID = k.chat_id WHERE k.message_id = m.ROWID))`;
    return this.salvage(() => this.db.prepare(sql).raw(true).all() as OwnerColumns[], () => []);
  }

  /**
   * One pass over a conversation's rows: the messages to show (reactions excluded, inside the window)
   * in display order, once each, with their first and last date; every reaction aimed at them,
   * whenever it was made; and the rows' change mark. An empty chat list means the messages that belong
   * to no chat at all (a chat the database lacks, or cannot read, is none).
   */
  conversationRows(chatIds: number[], window: DateWindow): ConversationRows {
    const date = appleMs('m.date');
    const columns = ['m.ROWID', date, this.reactionType, ...this.changeDates];
    const sql =
      chatIds.length === 0
        ? `SELECT ${columns.join(', ')} FROM message m
           WHERE NOT EXISTS (SELECT 1 FROM chat_message_join j JOIN chat c ON c.ROWID = j.chat_id WHERE j.message_id = m.ROWID) ORDER BY m.date, m.ROWID`
        : `SELECT ${columns.join(', ')} FROM chat_message_join j JOIN message m ON m.ROWID = j.message_id
           WHERE j.chat_id IN (${placeholders(chatIds.length)}) ORDER BY m.date, m.ROWID`;
    const rows = this.salvage(
      () => this.statements.get(`rows:${chatIds.length}`, () => sql).raw(true).all(...chatIds) as RowOfChat[],
      () => this.conversationRowsOneByOne(chatIds, columns),
    );
    const ids: number[] = [];
    const reactionIds: number[] = [];
    const pollRows: PollRow[] = [];
    let first = 0;
    let last = 0;
    let previous = -1;
    let newest = 0;
    let edited = 0;
    let retracted = 0;
    let undelivered = 0;
    let junk = 0;
    for (const [id, when, type, editedAt, retractedAt, undeliveredId, junkId] of rows) {
      if (id > newest) newest = id;
      if (editedAt) edited += Number(editedAt);
      if (retractedAt) retracted += Number(retractedAt);
      if (undeliveredId) undelivered += Number(undeliveredId);
      if (junkId) junk += Number(junkId);
      if (id === previous) continue;
      previous = id;
      const inWindow = (window.since === undefined || when >= window.since) && (window.until === undefined || when < window.until);
      // associated_message_type 1000 (sticker placed on a message), 2000–2007 and 3000–3007 (tapbacks added, removed).
      if (type !== null && type >= 1000 && type < 4000) reactionIds.push(id);
      else if (type === POLL_VOTE || type === POLL_UPDATE_ROW) pollRows.push({ id, when, at: inWindow ? ids.length : undefined });
      else if (inWindow) {
        if (ids.length === 0) first = when;
        last = when;
        ids.push(id);
      }
    }
    // Without messages that did not go out or junk, the mark is as archives made before they were marked kept it.
    const mark = `${rows.length}:${rows.length === 0 ? '' : newest}:${edited}:${retracted}${undelivered ? `:${undelivered}` : ''}${junk ? `:junk ${junk}` : ''}`;
    return { ids: Float64Array.from(ids), reactionIds, pollRows, first, last, mark };
  }

  /** The rows of a conversation's chats read one at a time, past the damaged pages that stopped the query. */
  private conversationRowsOneByOne(chatIds: number[], columns: string[]): RowOfChat[] {
    const byChat = groupPairs(this.joinRows('chat_message_join', 'chat_id', 'message_id'));
    const inNoChat = () => {
      const inChats = new Set(readableRowIds(this.db, 'chat').flatMap((chat) => byChat.get(chat) ?? []));
      return readableRowIds(this.db, 'message').filter((id) => !inChats.has(id));
    };
    const ids = chatIds.length === 0 ? inNoChat() : chatIds.flatMap((chat) => byChat.get(chat) ?? []);
    const one = this.statements.get('row', () => `SELECT ${columns.join(', ')} FROM message m WHERE m.ROWID = ?`).raw(true);
    const read = (id: number) => this.salvage(() => one.all(id) as RowOfChat[], () => [this.columnByColumn('row', columns, [id]).values as RowOfChat]);
    return this.readable('message', ids, read).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
  }

  /** The messages with these row ids, in the given order, a batch at a time. */
  *messageBatches(ids: Float64Array): Generator<MessageRow[]> {
    for (let start = 0; start < ids.length; start += BATCH) {
      const batch = Array.from(ids.subarray(start, start + BATCH));
      yield this.messagesByIds('messages', this.message, batch);
    }
  }

  /** The GUIDs of these messages, a batch at a time. */
  *guidsOf(ids: Float64Array): Generator<string> {
    for (let start = 0; start < ids.length; start += BATCH) {
      const batch = Array.from(ids.subarray(start, start + BATCH));
      yield* this.messagesByIds('guids', this.guid, batch).map((row) => row.guid);
    }
  }

  /** Attachments of these messages, in the order the join table lists them. */
  attachmentsOf(messageIds: number[]): AttachmentRow[] {
    if (messageIds.length === 0) return [];
    const ids = messageIds.length <= BATCH ? padded(messageIds) : messageIds;
    const sql = () => `SELECT ${this.attachment.columns} FROM message_attachment_join j JOIN attachment a ON a.ROWID = j.attachment_id`;
    return this.salvage(
      () => this.select(`attachments:${ids.length}`, () => `${sql()} WHERE j.message_id IN (${placeholders(ids.length)}) ORDER BY j.message_id, j.ROWID`, this.attachment, ids),
      () => {
        const byMessage = groupPairs(this.joinRows('message_attachment_join', 'message_id', 'attachment_id'));
        const one = (message: number) => (attachment: number) => this.rowOrColumns('attachment', this.attachment, '(SELECT ? AS message_id) j, attachment a WHERE a.ROWID = ?', [message, attachment]);
        return [...new Set(messageIds)].sort((a, b) => a - b).flatMap((message) => this.readable('attachment', byMessage.get(message) ?? [], one(message)));
      },
    );
  }

  /** These reactions, in the given order. */
  reactions(ids: number[]): ReactionRow[] {
    const rows: ReactionRow[] = [];
    for (let start = 0; start < ids.length; start += BATCH) rows.push(...this.messagesByIds('reactions', this.reaction, ids.slice(start, start + BATCH)));
    return rows;
  }

  messageByGuid(guid: string): MessageRow | undefined {
    // A message replied to on a damaged page is not shown above its reply: the check names its row.
    return this.salvage(() => this.select('byGuid', () => `SELECT ${this.message.columns} FROM message m WHERE m.guid = ? LIMIT 1`, this.message, [guid])[0], () => undefined);
  }

  /**
   * A column of a message's row as stored, in SQL's notation (an integer's every digit, 'text' quoted), for a
   * note on a value out of range: the rows carry dates converted to milliseconds. Asked for rarely, one at a time.
   */
  storedValue(rowId: number, column: string): string | undefined {
    if (!this.messageColumns.has(column)) return undefined;
    const sql = () => `SELECT substr(quote(${column}), 1, ${STORED_LENGTH}) FROM message WHERE ROWID = ?`;
    return this.salvage(() => this.statements.get(`stored:${column}`, sql).pluck().get(rowId) as string | undefined, () => undefined);
  }

  /** Up to BATCH messages with these row ids, in the given order; one at a time past a damaged page. */
  private messagesByIds<T extends { rowId: number }>(key: string, selection: Selection<T>, ids: number[]): T[] {
    const sql = (where: string) => () => `SELECT ${selection.columns} FROM message m WHERE ${where}`;
    return this.salvage(
      () => inOrder(this.select(key, sql(`m.ROWID IN (${placeholders(BATCH)})`), selection, padded(ids)), ids),
      () => this.readable('message', ids, (id) => this.rowOrColumns(key, selection, MESSAGE_ROW, [id])),
    );
  }

  /** The row `from` selects; one a damaged page spoils in part, read a column at a time (see `columnByColumn`). */
  private rowOrColumns<T>(key: string, selection: Selection<T>, from: string, params: unknown[]): T[] {
    return this.salvage(() => this.select(`${key}:one`, () => `SELECT ${selection.columns} FROM ${from}`, selection, params), () => {
      const { values, unreadable } = this.columnByColumn(key, selection.list, params, from);
      return [{ ...selection.row(values), unreadable }];
    });
  }

  /**
   * A row a damaged page spoils in part (its record runs on into a lost page): each column read alone,
   * those that cannot be read left empty (null) and named.
   */
  private columnByColumn(key: string, columns: string[], params: unknown[], from = MESSAGE_ROW): { values: unknown[]; unreadable: string[] } {
    const unreadable: string[] = [];
    const values = columns.map((column, i) => {
      const read = (sql: string) => this.salvage(() => this.statements.get(`${key}:column:${i}:${sql}`, () => `SELECT ${sql} FROM ${from}`).pluck().get(...params), () => undefined);
      // The date is kept in chat_message_join too.
      let value = read(column);
      if (value === undefined && this.datedJoins && MESSAGE_DATE.test(column)) value = read(column.replace(new RegExp(MESSAGE_DATE, 'g'), JOIN_DATE));
      if (value === undefined) unreadable.push(column.slice(column.lastIndexOf(' AS ') + 4));
      return value ?? null;
    });
    return { values, unreadable };
  }

  /** `read` of each of these rows of a table that a damaged page does not hide (the database's check lists those). */
  private readable<T>(table: string, ids: number[], read: (id: number) => T[]): T[] {
    const lookup = this.statements.get(`exists:${table}`, () => `SELECT 1 FROM ${table} WHERE ROWID = ?`).pluck();
    return ids.flatMap((id) => (this.salvage(() => lookup.get(id) !== undefined, () => false) ? read(id) : []));
  }

  /** A join table's rows as [first column, second column] past a damaged page (see salvage.ts); read once. */
  private joinRows(table: string, first: string, second: string): [number, number][] {
    let rows = this.joins.get(table);
    if (!rows) {
      rows = joinRows(this.db, table, first, second).map(([, a, b]): [number, number] => [a, b]);
      this.joins.set(table, rows);
    }
    return rows;
  }

  /** What `read` gives; past a damaged page, what `instead` can still give (and that the reader met damage). */
  private salvage<T>(read: () => T, instead: () => T): T {
    return salvage(read, () => {
      this.metDamage = true;
      return instead();
    });
  }

  private select<T>(key: string, sql: () => string, selection: Selection<T>, params: unknown[]): T[] {
    return (this.statements.get(key, sql).raw(true).all(...params) as unknown[][]).map(selection.row);
  }
}

/** SQL that holds when a date (ms since 2001) is in the window. */
function inWindow(date: string, window: DateWindow): string {
  return [
    window.since === undefined ? '' : `${date} >= ${window.since}`,
    window.until === undefined ? '' : `${date} < ${window.until}`,
  ].filter(Boolean).join(' AND ') || '1';
}

/** How much of a stored value a note shows (a blob's quote is its bytes in hex). */
const STORED_LENGTH = 60;

/** One message, by ROWID. */
const MESSAGE_ROW = 'message m WHERE m.ROWID = ?';

/** message.date in a column's expression, and where else it is kept: the join table's copy of it. */
const MESSAGE_DATE = /\bm\.date\b(?!_)/;
const JOIN_DATE = '(SELECT message_date FROM chat_message_join WHERE message_id = m.ROWID AND message_date != 0 LIMIT 1)';

/** A conversation's row: ROWID, date, association type, edit and unsend dates. */
type RowOfChat = [number, number, number | null, unknown, unknown, unknown, unknown];

/** Pairs grouped by their first value, the second values in the order met. */
function groupPairs(pairs: [number, number][]): Map<number, number[]> {
  const groups = new Map<number, number[]>();
  for (const [key, value] of pairs) {
    const group = groups.get(key);
    if (group) group.push(value);
    else groups.set(key, [value]);
  }
  return groups;
}

/**
 * Rows in the order of `ids` (SQLite returns them by ROWID). Usually that is already the order, as
 * messages are mostly stored in the order they were sent.
 */
function inOrder<T extends { rowId: number }>(rows: T[], ids: number[]): T[] {
  if (rows.length === ids.length && rows.every((row, i) => row.rowId === ids[i])) return rows;
  const byId = new Map(rows.map((row) => [row.rowId, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Columns to select (`expression AS name`, …) and how to turn a row of their values into an object. */
interface Selection<T> {
  columns: string;
  list: string[];
  row: (values: unknown[]) => T;
}

/**
 * Rows are fetched as arrays (better-sqlite3 builds objects slowly) and named by a function made for
 * these column names: an object literal gives every row one shape, which V8 builds fastest.
 * The names come from this file, never from the database.
 */
function selection<T>(columns: string[]): Selection<T> {
  const names = columns.map((column) => column.slice(column.lastIndexOf(' AS ') + 4));
  const row = new Function('v', `return { ${names.map((name, i) => `${name}: v[${i}]`).join(', ')} };`) as (values: unknown[]) => T;
  return { columns: columns.join(', '), list: columns, row };
}

/** The message columns the reader fetches, each as a value when this database's table lacks it. */
function messageColumns(message: Set<string>): string[] {
  const m = columnReader('m', message);
  const md = (name: string, alias: string) => `${message.has(name) ? appleMs(`m.${name}`) : '0'} AS ${alias}`;
  return [
    'm.ROWID AS rowId',
    'm.guid AS guid',
    m('text', 'text'),
    m('attributedBody', 'attributedBody'),
    m('handle_id', 'handleId', '0'),
    m('is_from_me', 'isFromMe', '0'),
    m('service', 'service'),
    md('date', 'date'),
    `${message.has('date') ? appleNanos('m.date') : '0'} AS dateNanos`,
    md('date_read', 'dateRead'),
    md('date_delivered', 'dateDelivered'),
    md('date_played', 'datePlayed'),
    md('date_edited', 'dateEdited'),
    md('date_retracted', 'dateRetracted'),
    m('item_type', 'itemType', '0'),
    m('group_action_type', 'groupActionType', '0'),
    m('other_handle', 'otherHandle', '0'),
    m('share_status', 'shareStatus', '0'),
    m('share_direction', 'shareDirection'),
    m('group_title', 'groupTitle'),
    m('associated_message_type', 'associatedType', '0'),
    m('associated_message_guid', 'associatedGuid'),
    m('associated_message_emoji', 'associatedEmoji'),
    m('balloon_bundle_id', 'balloonBundleId'),
    m('payload_data', 'payloadData'),
    m('expressive_send_style_id', 'effectId'),
    message.has('message_summary_info') && message.has('date_edited') && message.has('date_retracted')
      ? 'CASE WHEN m.date_edited != 0 OR m.date_retracted != 0 THEN m.message_summary_info END AS summaryInfo'
      : m('message_summary_info', 'summaryInfo'),
    m('thread_originator_guid', 'threadOriginatorGuid'),
    m('thread_originator_part', 'threadOriginatorPart'),
    m('is_audio_message', 'isAudioMessage', '0'),
    m('subject', 'subject'),
    m('error', 'error', '0'),
    m('schedule_type', 'scheduleType', '0'),
    m('is_sent', 'isSent', '1'),
    m('was_downgraded', 'wasDowngraded', '0'),
    m('is_spam', 'isSpam', '0'),
    m('destination_caller_id', 'destinationCallerId'),
    m('account', 'account'),
  ];
}

/** See `MessagesReader.reactionType`. */
function reactionTypeColumn(message: Set<string>): string {
  if (!message.has('associated_message_type')) return 'NULL';
  if (!message.has('balloon_bundle_id')) return 'm.associated_message_type';
  return `CASE WHEN m.associated_message_type = ${POLL_UPDATE} AND m.balloon_bundle_id LIKE '%${POLLS_EXTENSION}%' THEN ${POLL_UPDATE_ROW} ELSE m.associated_message_type END`;
}

function attachmentColumns(attachment: Set<string>): string[] {
  const a = columnReader('a', attachment);
  return [
    'j.message_id AS messageId',
    'a.ROWID AS rowId',
    'a.guid AS guid',
    a('filename', 'filename'),
    a('mime_type', 'mimeType'),
    a('uti', 'uti'),
    a('transfer_name', 'transferName'),
    a('total_bytes', 'totalBytes', '0'),
    a('is_sticker', 'isSticker', '0'),
    a('sticker_user_info', 'stickerUserInfo'),
    a('attribution_info', 'attributionInfo'),
    a('emoji_image_short_description', 'emojiDescription'),
    `${attachment.has('created_date') ? 'a.created_date * 1000' : '0'} AS createdDate`,
    `${purgedRow(attachment)} AS purged`,
  ];
}

/**
 * 1 for a row Messages says it purged: the file offloaded to iCloud, downloaded again when the conversation is
 * opened. Messages' own test, as its partial index attachment_idx_purged_attachments_v2 (and IMDPersistence's
 * query of purged attachments through it) has it; 0 in a schema without those columns (before Messages in iCloud).
 */
function purgedRow(attachment: Set<string>): string {
  if (!['hide_attachment', 'ck_sync_state', 'transfer_state'].every((column) => attachment.has(column))) return '0';
  return 'CASE WHEN a.hide_attachment = 0 AND a.ck_sync_state IN (1, 4) AND a.transfer_state = 0 THEN 1 ELSE 0 END';
}

/**
 * Apple dates are nanoseconds since 2001 on current systems and seconds on old ones; yields milliseconds.
 * A date before 2001 (a device whose clock was reset) is negative, in either unit.
 */
function appleMs(column: string): string {
  // Not abs(): it fails the whole query ('integer overflow') on the least integer, an odd value a damaged row can hold.
  return `(CASE WHEN ${column} > 100000000000 OR ${column} < -100000000000 THEN ${column} / 1000000 ELSE ${column} * 1000 END)`;
}

/** The nanoseconds of a date below the millisecond `appleMs` gives (its sign: see `appleTimestamp`); 0 for seconds. */
function appleNanos(column: string): string {
  return `(CASE WHEN ${column} > 100000000000 OR ${column} < -100000000000 THEN ${column} % 1000000 ELSE 0 END)`;
}

/** `t.name AS alias`, or `fallback AS alias` when this database's table has no such column (older macOS). */
function columnReader(table: string, present: Set<string>): (name: string, alias: string, fallback?: string) => string {
  return (name, alias, fallback = 'NULL') => `${present.has(name) ? `${table}.${name}` : fallback} AS ${alias}`;
}

/**
 * The ids, made BATCH long with copies of the last (an IN list is a set: the same rows match), so that one
 * prepared statement serves every batch. A statement for each length of a conversation's last batch was
 * 198 prepares, 35 ms of CPU, in a first export of the 200k bench database.
 */
function padded(ids: number[]): number[] {
  const list = ids.slice();
  while (list.length < BATCH) list.push(ids[ids.length - 1]!);
  return list;
}

function placeholders(count: number): string {
  return Array(count).fill('?').join(',');
}

function columnsOf(db: Database.Database, table: string): Set<string> {
  const rows = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[];
  return new Set(rows.map((r) => r.name));
}

/** The ROWID of a message filed as junk, else 0. */
function junkRow(message: Set<string>): string {
  return message.has('is_spam') ? 'CASE WHEN m.is_spam != 0 THEN m.ROWID ELSE 0 END' : '0';
}

/** The ROWID of a message that did not go out (see `undelivered` in message-builder.ts), else 0. */
function undeliveredRow(message: Set<string>): string {
  const failed = message.has('error') ? ['m.error != 0'] : [];
  const scheduled = message.has('schedule_type') && message.has('is_sent') ? ['(m.schedule_type = 2 AND m.is_sent = 0)'] : [];
  const either = [...failed, ...scheduled];
  return either.length === 0 ? '0' : `CASE WHEN ${either.join(' OR ')} THEN m.ROWID ELSE 0 END`;
}
