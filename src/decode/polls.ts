// Polls (the Messages Polls app, iOS 26 / macOS 26): an app balloon whose MSMessageTemplateLayout URL is a
// `data:` URL holding base64 JSON, `{"version":1,"item":{…}}`. A poll's item lists its options
// (`orderedPollOptions`: optionIdentifier, text, creatorHandle); a vote's (a message with
// associated_message_type 4000 aimed at the poll) lists the votes its sender has cast now (`votes`:
// voteOptionIdentifier, participantHandle, serverVoteTime in seconds since 2001).

import { decodeAppMessage } from './app-message.js';
import { DecodeError } from './errors.js';

export const POLLS_EXTENSION = 'com.apple.messages.Polls';
/** associated_message_type of a vote. */
export const POLL_VOTE = 4000;
/** associated_message_type of a poll's later version (an option added), aimed at the poll. */
export const POLL_UPDATE = 2;

const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);

export interface PollPayload {
  /** item.title: Messages leaves it empty and sends the question as a message of its own. */
  question?: string;
  /** item.creatorHandle: who made the poll. */
  creatorHandle?: string;
  options: { id: string; text: string; creatorHandle?: string }[];
  /** item.votes, in a vote's payload: what its sender votes for now. */
  votes?: { optionId: string; handle?: string; date?: Date }[];
}

/** Whether a balloon bundle id is the Polls app's (`…MSMessageExtensionBalloonPlugin:0000000000:com.apple.messages.Polls`). */
export function isPollBalloon(bundleId: string | null | undefined): boolean {
  return typeof bundleId === 'string' && bundleId.toLowerCase().includes(POLLS_EXTENSION.toLowerCase());
}

/** Decodes a poll's or a vote's payload_data; throws DecodeError when it holds neither. */
export function decodePollPayload(payload: Uint8Array): PollPayload {
  const url = decodeAppMessage(payload).url;
  if (!url) throw new DecodeError('poll payload has no URL');
  const root = dataUrlJson(url);
  const item = isObject(root) ? root.item : undefined;
  if (!isObject(item)) throw new DecodeError('poll payload has no item');
  const options = Array.isArray(item.orderedPollOptions) ? item.orderedPollOptions.flatMap(option) : [];
  const votes = Array.isArray(item.votes) ? item.votes.flatMap(vote) : undefined;
  if (options.length === 0 && !votes) throw new DecodeError('poll payload has neither options nor votes');
  return { question: text(item.title), creatorHandle: text(item.creatorHandle), options, votes };
}

/** The JSON of a `data:` URL: `data:,<base64>?src=p&c=3` as Messages writes it, or JSON left unencoded. */
function dataUrlJson(url: string): unknown {
  const comma = url.indexOf(',');
  if (!url.toLowerCase().startsWith('data:') || comma < 0) throw new DecodeError('poll URL is not a data: URL');
  let body = url.slice(comma + 1);
  const query = body.indexOf('?');
  if (query >= 0) body = body.slice(0, query);
  try {
    body = decodeURIComponent(body);
  } catch {
    throw new DecodeError('poll URL is not well escaped');
  }
  const json = body.trimStart().startsWith('{') ? body : Buffer.from(body, 'base64').toString('utf8');
  try {
    return JSON.parse(json);
  } catch {
    throw new DecodeError('poll URL does not hold JSON');
  }
}

function option(value: unknown): PollPayload['options'] {
  if (!isObject(value)) return [];
  const words = text(value.text) ?? text(value.attributedText);
  if (words === undefined) return [];
  return [{ id: text(value.optionIdentifier) ?? '', text: words, creatorHandle: text(value.creatorHandle) }];
}

function vote(value: unknown): NonNullable<PollPayload['votes']> {
  if (!isObject(value)) return [];
  const optionId = text(value.voteOptionIdentifier);
  if (optionId === undefined) return [];
  const seconds = value.serverVoteTime;
  // Seconds since 2001; anything else (or a time past the year 2300) says nothing of when.
  const date = typeof seconds === 'number' && Math.abs(seconds) < 1e10 ? new Date(APPLE_EPOCH_MS + seconds * 1000) : undefined;
  return [{ optionId, handle: text(value.participantHandle), date }];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
