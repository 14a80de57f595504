// One message as one CSV row: the columns a spreadsheet or a lawyer's review tool wants.
import { filesOf } from '../../model/attachments.js';
import type { Attachment, Message } from '../../model/types.js';
import { describeTapbacks, inBackup, laterVersionLabel, livePhotoNote, missingShort, NOT_IN_DATABASE, replacedNote, stickerNote } from '../describe.js';
import { messageText, type RecordStyle } from '../json/records.js';

export const CSV_COLUMNS = [
  'date', 'sender_name', 'sender_handle', 'from_me', 'service', 'text', 'attachments',
  'reactions', 'reply_to', 'edited', 'unsent', 'guid', 'not_on_device_since', 'subject', 'effect', 'damaged_sources', 'undelivered',
  'satellite', 'junk', 'owner_handle', 'kind',
] as const;

/**
 * The row's cells in CSV_COLUMNS order. `text` is what the message says as the txt export writes it
 * (see messageText); `attachments` one file per line (its path, or that it is missing or not in the database at all,
 * and a sticker's description or a voice message's transcription; a Live Photo's movie on the line after its still);
 * `reply_to` the guid of the message replied to (the `guid` column of its row); `not_on_device_since`
 * when the archive kept a message its sources no longer have; `subject` its subject line and `effect` the send effect
 * by name ("Slam", "Invisible Ink"), both at the end so that the earlier columns keep their places; `damaged_sources`
 * the conversation's sources whose check found damage, one a line (empty when all were sound); `undelivered`
 * "failed" for a message of the owner's Messages says was Not Delivered, "scheduled" for one to be sent later, not sent yet;
 * `satellite` true when it went over satellite (`service` then says which: iMessage or SMS), `junk` true when Messages
 * filed it as junk; `owner_handle` the owner's own phone number or email it was sent from or received on (empty when
 * not known); `kind` "message", or "event" for a group event (its sentence in `text`, its actor as the sender), as JSON's
 * `kind` says: without it an event reads as a message its actor sent.
 */
export function csvRow(m: Message, { iso, path }: RecordStyle, damaged: string): string[] {
  const files = m.parts.flatMap(filesOf);
  const tapbacks = m.parts.flatMap((p) => p.tapbacks);
  return [
    iso(m.date),
    m.sender.name,
    m.sender.handle,
    String(m.isFromMe),
    m.service,
    messageText(m),
    files.map((a) => fileCell(a, path, (d) => iso(d).slice(0, 10))).join('\n'),
    tapbacks.length > 0 ? describeTapbacks(tapbacks, (d) => iso(d).slice(0, 10)) : '',
    m.replyTo?.guid ?? '',
    String(m.edited),
    String(m.parts.some((p) => p.kind === 'unsent')),
    m.guid,
    m.absentSince ? iso(m.absentSince) : '',
    m.subject ?? '',
    m.effect ?? '',
    damaged,
    m.undelivered ?? '',
    String(m.satellite ?? false),
    String(m.junk ?? false),
    m.ownerHandle ?? '',
    m.kind,
  ];
}

/**
 * A file's name and where it is; as in the txt export, what a sticker is (its description too), what Apple
 * transcribed a voice message as, and of a Live Photo's still, its movie (whose own line follows).
 */
function fileCell(a: Attachment, place: RecordStyle['path'], day: (date: Date) => string): string {
  if (a.notInDatabase) return NOT_IN_DATABASE;
  let cell = `${a.fileName} (${a.withheld ?? (a.missing ? missingShort(a) : a.transient ? inBackup(a) : place(a.path!))})`;
  cell += stickerNote(a);
  if (a.livePhoto) cell += ` — ${livePhotoNote(a.livePhoto)}`;
  if (a.replaced) cell += ` — ⚠ ${replacedNote(a.replaced, day)}: ${a.replaced.later.map((v) => `${laterVersionLabel(v, day)} ${place(v.path)}`).join(', ')}`;
  if (a.transcription) cell += ` — transcription: “${a.transcription}”`;
  return cell;
}
