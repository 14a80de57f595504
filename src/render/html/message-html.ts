import type { AppPart, Attachment, Ballot, Message, Part, Person, Poll, ReplacedFile, ReplyRef, Tapback, TextPart, UnsentPart } from '../../model/types.js';
import { isYou } from '../../model/owner.js';
import type { PlacedAttachment } from '../../media/media-archive.js';
import { isCaf } from '../../media/caf.js';
import { playsInSafari } from '../../media/playable-audio.js';
import { absenceNote, absentSticker, attachmentSize, describeBallot, editedNote, foundIn, laterVersionLabel, messageMarks, NOT_IN_DATABASE, notFound, receiptNotes, replacedNote, tapbackNote, timeOnDay, UNKNOWN_OPTION } from '../describe.js';
import { countOf } from '../../words/counts.js';
import { wasEdited } from '../../model/edits.js';
import { escapeHtml, hrefPath, isolate, isolateWithin, safeLink } from './escape.js';
import { eventNames } from '../isolate.js';
import type { DateFormatter, LocalTime } from '../dates.js';
import { textHtml } from './text-html.js';
import { drawingSvg } from './drawing-html.js';

/** What turning one message into HTML needs to know beyond the message. */
export interface MessageContext {
  /** Relative path from the page to the archive folder, e.g. "../../". */
  root: string;
  dates: DateFormatter;
  /** Whether a received message names its sender: in a group, or when the sender is not whom the conversation is with. */
  namesSender(sender: Person): boolean;
  placeAttachment(attachment: Attachment): PlacedAttachment;
  /** Link to the message a reply quotes, when it is on this conversation's pages written so far. */
  messageHref(reply: ReplyRef): string | undefined;
}

/** Said of a CAF file whose audio could not be moved into another container, by whether Safari plays its codec. */
const CAF_NOTE = {
  safari: 'Apple voice message (.caf): plays in Safari; elsewhere download it and open it in QuickTime or VLC.',
  amr: 'Apple voice message (.caf, AMR audio): download it and open it in VLC.',
  other: 'Apple voice message (.caf): download it and open it in VLC.',
};

/**
 * Players read the file's header as the page opens: before play they show its length and a video its first frame
 * (not a black box at 0:00), and one the browser cannot play is found at once (app.js then hides it).
 */
const PRELOAD = 'preload="metadata"';

/**
 * A text bubble that could be taller than a printed sheet: more characters or line breaks than these. Printing
 * keeps shorter messages whole on one sheet; a long one is cut across sheets (see style.css).
 */
const LONG_TEXT = { chars: 800, lineBreaks: 12 };

const TAPBACK_VERB: Record<string, string> = {
  love: 'loved', like: 'liked', dislike: 'disliked', laugh: 'laughed at', emphasize: 'emphasized', question: 'questioned',
  sticker: 'stuck a sticker on',
};

/**
 * One message sent at local time `at` as an item of its day's list (a screen reader goes from one to the next):
 * its bubbles, reply quote, edits, tapbacks and delivery notes; `anchor` its id (see anchors.ts), and each part's
 * with the part's index after it.
 */
export function messageHtml(message: Message, anchor: string, at: LocalTime, showSender: boolean, ctx: MessageContext): string {
  if (message.kind === 'event') {
    // A group photo change carries the new photo.
    const files = message.parts.map((part) => (part.kind === 'attachment' ? `<div class="event-file">${attachmentHtml(part.attachment, ctx, false)}</div>` : '')).join('');
    return `<li class="event" id="${anchor}"><span title="${at.dateTime}">${eventText(message)} · ${at.time}${sourcesHtml(message)}${absenceHtml(message, ctx)}</span>${files}</li>\n`;
  }
  const side = message.isFromMe ? 'out' : 'in';
  const service = message.service.toLowerCase() === 'imessage' ? 'imessage' : 'sms';
  let html = `<li class="msg ${side} ${service}" id="${anchor}">`;
  if (showSender) html += senderHtml(message, ctx);
  if (message.replyTo) html += replyHtml(message, ctx);
  if (message.subject) html += `<div class="bubble subject"><strong>${escapeHtml(message.subject)}</strong></div>`;
  for (const part of message.parts) html += partHtml(message, part, `${anchor}-${part.index}`, ctx);
  for (const problem of message.problems) html += `<div class="problem">⚠ ${escapeHtml(problem)}</div>`;
  html += metaHtml(message, anchor, at, ctx);
  return `${html}</li>\n`;
}

/**
 * The sender over the first of a run of their messages: shown in a group; else said only to a screen reader, which
 * cannot tell who wrote a message by the side or colour of its bubble.
 */
function senderHtml(message: Message, ctx: MessageContext): string {
  const shown = !message.isFromMe && ctx.namesSender(message.sender);
  return `<div class="sender${shown ? '' : ' unseen'}">${isolate(message.sender.name)}</div>`;
}

function replyHtml(message: Message, ctx: MessageContext): string {
  const target = message.replyTo!.target;
  if (!target) return '<div class="reply">Reply to a message that is not in this archive</div>';
  // dir="auto" takes the direction of the quoted text: the name is isolated, and "Reply to" (said to a screen reader,
  // which cannot see the quote's bar and small grey type) has a dir of its own.
  const quote = `<span class="unseen" dir="ltr">Reply to</span> <bdi class="who">${escapeHtml(target.sender.name)}</bdi> ${escapeHtml(target.snippet)}`;
  const href = ctx.messageHref(message.replyTo!);
  return href ? `<a class="reply" href="${href}" dir="auto">${quote}</a>` : `<div class="reply" dir="auto">${quote}</div>`;
}

function partHtml(message: Message, part: Part, id: string, ctx: MessageContext): string {
  let body: string;
  let kind: string;
  let versioned: TextPart | UnsentPart | undefined;
  switch (part.kind) {
    case 'text':
      kind = isLong(part.text) ? 'text long' : 'text';
      body = textHtml(part.text, part.spans);
      versioned = part;
      break;
    case 'attachment':
      kind = part.attachment.isSticker ? 'sticker' : 'media';
      body = attachmentHtml(part.attachment, ctx, message.isAudioMessage);
      break;
    case 'app':
      kind = 'app';
      body = appHtml(part, ctx);
      break;
    case 'unsent':
      kind = 'unsent';
      body = `${isYou(message.sender) ? 'You' : isolate(message.sender.name)} unsent a message${part.unsentAt ? ` at ${unsentTime(message, part.unsentAt, ctx)}` : ''}`;
      versioned = part;
      break;
  }
  // dir="auto" lays out Hebrew and Arabic messages right to left, as Messages does.
  const direction = part.kind === 'text' ? ' dir="auto"' : '';
  let html = `<div class="bubble ${kind}" id="${id}"${direction}>${body}${tapbacksHtml(part.tapbacks, ctx)}</div>`;
  if (versioned?.edits?.length) html += editsHtml(versioned, ctx);
  return html;
}

function isLong(text: string): boolean {
  return text.length > LONG_TEXT.chars || (text.match(/\n/g)?.length ?? 0) > LONG_TEXT.lineBreaks;
}

/** A file as the page shows it; a Live Photo's still with its movie, which a disclosure opens to play. */
function attachmentHtml(attachment: Attachment, ctx: MessageContext, isAudioMessage: boolean): string {
  let html = fileHtml(attachment, ctx, isAudioMessage);
  if (attachment.replaced) html += replacedHtml(attachment, attachment.replaced, ctx);
  return attachment.livePhoto ? `${html}<details class="live"><summary>Live Photo: its movie</summary>${fileHtml(attachment.livePhoto, ctx, false)}</details>` : html;
}

/** That the device's file changed since the archive copied the one shown, with a link to each later version. */
function replacedHtml(attachment: Attachment, replaced: ReplacedFile, ctx: MessageContext): string {
  const day = (date: Date) => ctx.dates.dayKey(date);
  const links = replaced.later.map((version) => {
    // Linked as a plain file: the page shows the copy first archived.
    const placed = ctx.placeAttachment({ ...attachment, path: version.path, size: version.size, kind: 'file', isSticker: false, livePhoto: undefined, replaced: undefined });
    const label = escapeHtml(laterVersionLabel(version, day));
    return placed.href ? `<a href="${url(placed.href, ctx.root)}" download>${label}</a>` : label;
  });
  return `<div class="replaced">⚠ ${escapeHtml(replacedNote(replaced, day))}: ${links.join(', ')}</div>`;
}

/** Why a missing file is not shown: where it is not, and that it may be in iCloud when the database does not say. */
function missingHere(attachment: Attachment): string {
  return attachment.missingReason ? notFound(attachment) : `${notFound(attachment)} (perhaps kept only in iCloud)`;
}

function fileHtml(attachment: Attachment, ctx: MessageContext, isAudioMessage: boolean): string {
  if (attachment.notInDatabase) return `<div class="missing">${escapeHtml(NOT_IN_DATABASE)}</div>`;
  const placed = ctx.placeAttachment(attachment);
  const name = escapeHtml(attachment.fileName);
  const caption = attachment.description ? `<div class="caption">${escapeHtml(attachment.description)}</div>` : '';
  if (placed.unavailable) {
    const why = placed.reason ?? (placed.unavailable === 'missing' ? missingHere(attachment) : 'not exported');
    const label = isAudioMessage && attachment.kind === 'audio' ? 'Audio message' : `${kindLabel(attachment)} ${name}`;
    return `<div class="missing">${label} — ${escapeHtml(why)}</div>${caption}`;
  }
  const href = url(placed.href!, ctx.root);
  const shownSize = attachmentSize(attachment);
  const size = shownSize ? ` (${shownSize})` : '';
  let html: string;
  if (placed.noPicture) {
    // As the page's script says of a picture that fails to load; here known before any is asked for.
    html = `<a href="${href}"><span class="broken">Picture could not be shown: ${kindLabel(attachment)} ${name}</span></a>`;
  } else if (placed.preview) {
    // "Photo IMG_0412.JPG": a screen reader, given the file's name alone, says what it is only by its extension.
    html = `<a href="${href}"><img src="${url(placed.preview, ctx.root)}" alt="${kindLabel(attachment)} ${name}" title="${name}" loading="lazy"${sizeAttributes(placed)}></a>`;
    if (placed.original && !attachment.isSticker) html += `<a class="original" href="${url(placed.original, ctx.root)}" download>original</a>`;
  } else if (attachment.kind === 'video') {
    html = `<video controls ${PRELOAD} src="${href}" title="${name}"></video><a class="file" href="${href}" download>${name}</a>${size}`;
  } else if (attachment.kind === 'audio') {
    const label = isAudioMessage ? 'Audio message' : name;
    html = `${audioHtml(href, placed.playable, ctx.root, label)}<a class="file" href="${href}" download>${label}</a>${size}`;
    if (isCaf(attachment) && !placed.playable) html += `<div class="audio-note">${cafNote(placed.codec)}</div>`;
  } else {
    html = `<a class="file" href="${href}" download>📎 ${name}</a>${size}`;
  }
  if (attachment.transcription) html += `<div class="transcription">“${escapeHtml(attachment.transcription)}”</div>`;
  return html + caption;
}

function appHtml(part: AppPart, ctx: MessageContext): string {
  const app = part.app;
  if (app.poll) return pollHtml(app.poll, ctx);
  if (app.ballot) return ballotHtml(app.ballot);
  const link = safeLink(app.url);
  let card = '';
  if (app.appName) card += `<div class="app-name">${escapeHtml(app.appName)}</div>`;
  if (app.title) card += `<div class="app-title">${escapeHtml(app.title)}</div>`;
  if (app.subtitle) card += `<div class="app-subtitle">${escapeHtml(app.subtitle)}</div>`;
  if (app.summary) card += `<div class="app-summary">${escapeHtml(app.summary)}</div>`;
  for (const caption of app.captions) card += `<div class="app-caption">${escapeHtml(caption)}</div>`;
  if (link) card += `<a class="app-url" href="${escapeHtml(link)}" rel="noopener noreferrer">${escapeHtml(link)}</a>`;
  else if (app.url) card += `<div class="app-url">${escapeHtml(app.url)}</div>`;
  if (!card) card = `<div class="app-title">${escapeHtml(app.type)} message</div>`;
  if (app.drawing) card += drawingSvg(app.drawing, app.title ?? 'Drawing');
  for (const attachment of part.attachments) card += attachmentHtml(attachment, ctx, false);
  return card;
}

/**
 * A poll: each option with a bar of its share of the voters (a meter: the pages' Content-Security-Policy refuses
 * inline styles), who voted for it (when, on hover) and who added it when someone other than the first option's did.
 */
function pollHtml(poll: Poll, ctx: MessageContext): string {
  const voters = new Set(poll.options.flatMap((o) => o.votes.map((v) => v.voter.handle))).size;
  const creator = poll.options[0]?.addedBy?.handle;
  let html = '<div class="app-name">Poll</div>';
  if (poll.question) html += `<div class="app-title" dir="auto">${escapeHtml(poll.question)}</div>`;
  html += '<ol class="poll">';
  for (const option of poll.options) {
    const text = option.text === undefined ? `<i>${UNKNOWN_OPTION}</i>` : escapeHtml(option.text);
    const count = option.votes.length === 0 ? 'no votes' : countOf(option.votes.length, 'vote');
    html += `<li><span class="poll-option" dir="auto">${text}</span> <span class="poll-count">${count}</span>`;
    html += `<meter min="0" max="${Math.max(voters, 1)}" value="${option.votes.length}"></meter>`;
    if (option.votes.length) {
      const names = option.votes.map((v) => `<span title="Voted ${ctx.dates.at(v.date).dateTime}">${isolate(v.voter.name)}</span>`);
      html += `<div class="poll-voters">${names.join(', ')}</div>`;
    }
    if (option.addedBy && option.addedBy.handle !== creator) html += `<div class="poll-added">Added by ${isolate(option.addedBy.name)}</div>`;
    html += '</li>';
  }
  return `${html}</ol>`;
}

/** A vote shown on its own: what it chose, in a poll these pages do not have. */
function ballotHtml(ballot: Ballot): string {
  return `<div class="app-name">Poll vote</div><div class="app-title" dir="auto">${escapeHtml(describeBallot(ballot))}</div>`
    + '<div class="app-caption">The poll is not among these messages</div>';
}

function tapbacksHtml(tapbacks: Tapback[], ctx: MessageContext): string {
  if (tapbacks.length === 0) return '';
  let html = '<span class="tapbacks">';
  for (const tapback of tapbacks) {
    const who = escapeHtml(tapback.sender.name);
    const when = ctx.dates.at(tapback.date).dateTime;
    const note = tapbackNote(tapback, (d) => ctx.dates.dayKey(d));
    const absent = tapback.sticker && absentSticker(tapback.sticker);
    // The sentence says "You" of the owner, as events and unsent messages do; the badge keeps the name.
    const title = [`${isYou(tapback.sender) ? 'You' : who} ${tapbackVerb(tapback)} this`, when, note, absent && escapeHtml(absent)].filter(Boolean).join(' · ');
    let mark = escapeHtml(tapback.emoji);
    if (tapback.sticker) {
      const placed = ctx.placeAttachment(tapback.sticker);
      if (placed.preview) mark = `<img src="${url(placed.preview, ctx.root)}" alt="" loading="lazy"${sizeAttributes(placed)}>`;
      // The picture is not there to show: the badge says so, its sentence what the sticker was.
      else if (absent) mark = `<span class="absent">${tapback.sticker.withheld ? 'sticker not copied' : 'sticker missing'}</span>`;
    }
    // A screen reader says the sentence of the title, not a bare emoji whose sender shows only on hover.
    const shown = `${keptMark(tapback, mark)}<bdi class="who">${who}${note ? ` (${note})` : ''}</bdi>`;
    html += `<span class="tapback" tabindex="0" title="${title}"><span aria-hidden="true">${shown}</span><span class="unseen">${title}</span></span>`;
  }
  return `${html}</span>`;
}

/** "liked", "reacted 🎉 to": an emoji reaction names its emoji, which its badge alone shows. */
function tapbackVerb(tapback: Tapback): string {
  if (tapback.kind === 'emoji') return `reacted ${escapeHtml(tapback.emoji)} to`;
  return TAPBACK_VERB[tapback.kind] ?? 'reacted to';
}

/** A reaction an archive kept shows it without a stylesheet of its own: struck through when taken back, else with ⌫ (as the text files mark what only the archive keeps). */
function keptMark(tapback: Tapback, mark: string): string {
  if (tapback.removedAt) return `<del>${mark}</del>`;
  return tapback.absentSince ? `${mark}⌫` : mark;
}

/** A part's earlier versions; of a part unsent unedited, the text it had (see `wasEdited`). */
function editsHtml(part: TextPart | UnsentPart, ctx: MessageContext): string {
  const edits = part.edits!;
  let items = '';
  for (const edit of edits) items += `<li><span class="when">${ctx.dates.at(edit.date).dateTime}</span> ${escapeHtml(edit.text)}</li>`;
  const summary = wasEdited(part) ? `Earlier versions (${edits.length})` : 'Text before it was unsent';
  return `<details class="edits"><summary>${summary}</summary><ol>${items}</ol></details>`;
}

function unsentTime(message: Message, date: Date, ctx: MessageContext): string {
  return `<span title="${ctx.dates.at(date).dateTime}">${timeOnDay(date, ctx.dates.dayKey(message.date), ctx.dates)}</span>`;
}

/** The time links to the message itself: its address can be copied, to cite the message or come back to it. */
function metaHtml(message: Message, anchor: string, at: LocalTime, ctx: MessageContext): string {
  let html = `<div class="meta${message.undelivered ? ' undelivered' : ''}${message.junk ? ' junk' : ''}"><a class="time" href="#${anchor}" title="${at.dateTime}">${at.time}</a>`;
  for (const mark of messageMarks(message)) html += ` · ${escapeHtml(mark)}`;
  const edited = editedNote(message, at.dayKey, ctx.dates);
  if (edited) html += ` · ${edited}`;
  if (message.effect) html += ` · Sent with ${escapeHtml(message.effect)}`;
  for (const note of receiptNotes(message, at.dayKey, ctx.dates)) html += ` · ${note}`;
  return `${html}${sourcesHtml(message)}${absenceHtml(message, ctx)}</div>`;
}

/** Where a message (or event) some source lacks was found, after a dot. */
function sourcesHtml(message: Message): string {
  const sources = foundIn(message);
  return sources ? ` · <span class="sources">Found in ${escapeHtml(sources)}</span>` : '';
}

/** That the archive kept the message (or event) the device no longer has, after a dot. */
function absenceHtml(message: Message, ctx: MessageContext): string {
  if (!message.absentSince) return '';
  return ` · <span class="absent">Kept by this archive: ${absenceNote(message, (d) => `<span class="date">${ctx.dates.dayKey(d)}</span>`)}</span>`;
}

/**
 * A player of the file, or of its copy in a container every browser plays (the original CAF then as Safari's
 * choice), named for screen readers as its link is.
 */
function audioHtml(href: string, playable: PlacedAttachment['playable'], root: string, label: string): string {
  if (!playable) return `<audio controls ${PRELOAD} title="${label}" src="${href}"></audio>`;
  return `<audio controls ${PRELOAD} title="${label}"><source src="${url(playable.src, root)}" type="${playable.type}"><source src="${href}" type="audio/x-caf"></audio>`;
}

function cafNote(codec: string | undefined): string {
  if (playsInSafari(codec)) return CAF_NOTE.safari;
  // AMR narrowband or wideband.
  return codec === 'samr' || codec === 'sawb' ? CAF_NOTE.amr : CAF_NOTE.other;
}

function kindLabel(attachment: Attachment): string {
  if (attachment.isSticker) return 'Sticker';
  return { image: 'Photo', video: 'Video', audio: 'Audio', file: 'File' }[attachment.kind];
}

/** The event's sentence, the names of people and of the group in it isolated. */
function eventText(message: Message): string {
  const event = message.event;
  if (!event) return escapeHtml(partsText(message.parts));
  return isolateWithin(event.description, eventNames(event));
}

function partsText(parts: Part[]): string {
  return parts.map((p) => (p.kind === 'text' ? p.text : '')).join(' ');
}

/**
 * The picture's size, so that the page is laid out as it will be once the picture loads (pictures load lazily): a
 * link to a message below pictures then stays on it. The stylesheet still caps the width, the height following.
 */
function sizeAttributes({ previewSize }: PlacedAttachment): string {
  return previewSize ? ` width="${previewSize.width}" height="${previewSize.height}"` : '';
}

/** A location from PlacedAttachment as an attribute value: archive paths are made relative to the page. */
function url(location: string, root: string): string {
  return escapeHtml(location.startsWith('file:') ? location : root + hrefPath(location));
}
