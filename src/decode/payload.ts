// The one entry point for app balloons (message.payload_data + balloon_bundle_id) → AppBalloon.
//
// decodeBalloon never throws: a payload that cannot be read becomes
// `{ type: 'unknown', bundleId, title: <friendly app name if known>, captions: [] }`.
// Callers that want to count unreadable payloads use decodeBalloonReport, which returns the same
// balloon plus `problem`, a one-line description of what could not be read.

import type { AppBalloon } from '../model/types.js';
import { decodeAppMessage, type AppMessage } from './app-message.js';
import { decodeDigitalTouch, touchName } from './digital-touch.js';
import { touchCaptions, touchDrawing } from './digital-touch-drawing.js';
import { DecodeError } from './errors.js';
import { decodeHandwriting } from './handwriting.js';
import { decodeUrlPreview, previewUrl, type UrlPreview } from './url-preview.js';

export const URL_BALLOON = 'com.apple.messages.URLBalloonProvider';
export const HANDWRITING_BALLOON = 'com.apple.Handwriting.HandwritingProvider';
export const DIGITAL_TOUCH_BALLOON = 'com.apple.DigitalTouchBalloonProvider';
const APP_EXTENSION_BALLOON = 'com.apple.messages.MSMessageExtensionBalloonPlugin';

export interface BalloonReport {
  balloon: AppBalloon;
  /** Set when the payload was present but could not be read. */
  problem?: string;
}

export function decodeBalloon(payload: Uint8Array | undefined, bundleId: string | undefined): AppBalloon {
  return decodeBalloonReport(payload, bundleId).balloon;
}

export function decodeBalloonReport(payload: Uint8Array | undefined, bundleId: string | undefined): BalloonReport {
  try {
    return { balloon: readBalloon(payload, bundleId) };
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    // A damaged link preview is still a link: its URL is in the message's text, which the caller adds.
    const balloon: AppBalloon = { type: bundleId === URL_BALLOON ? 'link' : 'unknown', bundleId, title: friendlyAppName(bundleId), captions: [] };
    return { balloon, problem: `unreadable ${friendlyAppName(bundleId) ?? 'app'} balloon: ${error.message}` };
  }
}

function readBalloon(payload: Uint8Array | undefined, bundleId: string | undefined): AppBalloon {
  const appName = friendlyAppName(bundleId);
  if (bundleId === URL_BALLOON) return payload ? linkBalloon(decodeUrlPreview(payload)) : { type: 'link', bundleId, captions: [] };
  if (bundleId === HANDWRITING_BALLOON) {
    const balloon: AppBalloon = { type: 'handwriting', bundleId, title: 'Handwritten message', captions: [] };
    if (payload) {
      const { width, height, strokes } = decodeHandwriting(payload);
      balloon.drawing = { width, height, strokes };
    }
    return balloon;
  }
  if (bundleId === DIGITAL_TOUCH_BALLOON) {
    if (!payload) return { type: 'digital-touch', bundleId, appName, title: 'Digital Touch', captions: [] };
    const touch = decodeDigitalTouch(payload);
    const balloon: AppBalloon = { type: 'digital-touch', bundleId, appName, title: `Digital Touch: ${touchName(touch)}`, captions: touchCaptions(touch) };
    if (touch.kind !== 'unknown') balloon.drawing = touchDrawing(touch);
    return balloon;
  }
  if (bundleId?.startsWith(APP_EXTENSION_BALLOON)) {
    return payload ? appBalloon(decodeAppMessage(payload), bundleId) : { type: 'app', bundleId, appName, captions: [] };
  }
  return { type: 'unknown', bundleId, title: appName, captions: [] };
}

function linkBalloon(preview: UrlPreview): AppBalloon {
  const url = previewUrl(preview);
  const base = { bundleId: URL_BALLOON, url, summary: preview.summary };
  switch (preview.kind) {
    case 'apple_music': {
      const music = preview.music!;
      return {
        ...base,
        type: 'music',
        appName: 'Apple Music',
        title: music.trackName ?? preview.title,
        subtitle: music.artist,
        summary: music.lyrics?.join('\n') ?? preview.summary,
        captions: present(music.album),
      };
    }
    case 'app_store': {
      const app = preview.appStore!;
      return { ...base, type: 'app-store', appName: 'App Store', title: app.appName ?? preview.title, subtitle: app.description, captions: present(app.platform, app.genre) };
    }
    case 'shared_placemark': {
      const place = preview.placemark!;
      const title = place.name ?? preview.title;
      const subtitle = preview.title !== title ? preview.title : place.address;
      return { ...base, type: 'place', appName: 'Maps', title, subtitle, captions: [] };
    }
    case 'collaboration': {
      const shared = preview.collaboration!;
      return { ...base, type: 'collaboration', appName: shared.appName, title: shared.title ?? preview.title, captions: [] };
    }
    case 'normal':
      return { ...base, type: 'link', title: preview.title, subtitle: preview.siteName !== preview.title ? preview.siteName : undefined, captions: [] };
  }
}

function appBalloon(message: AppMessage, bundleId: string): AppBalloon {
  const title = message.title ?? message.ldtext;
  const summary = message.title ? message.ldtext : undefined;
  const captions = present(message.caption, message.subcaption, message.trailingCaption, message.trailingSubcaption).filter((c) => !repeats(c, [title, summary]));
  return {
    type: 'app',
    bundleId,
    appName: message.appName ?? friendlyAppName(bundleId),
    title,
    subtitle: message.subtitle,
    summary,
    // data: URLs and bare query strings are app state, not something to open.
    url: message.url && /^https?:/i.test(message.url) ? message.url : undefined,
    captions,
  };
}

/**
 * A caption made only of words the title or summary already says: a Photos album's "Home" and "37 Photos"
 * under its "Home - 37 Photos".
 */
function repeats(caption: string, shown: (string | undefined)[]): boolean {
  if (shown.includes(caption)) return true;
  const said = new Set(shown.flatMap(words));
  const own = words(caption);
  return own.length > 0 && own.every((word) => said.has(word));
}

function words(text: string | undefined): string[] {
  return text?.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function present(...values: (string | undefined)[]): string[] {
  return values.filter((value): value is string => value !== undefined && value !== '');
}

// Extension bundle ids of Apple's own message apps, matched case-insensitively by substring.
const KNOWN_APPS: [string, string][] = [
  ['peerpayment', 'Apple Pay'],
  ['passbook', 'Wallet'],
  ['safetymonitor', 'Check In'],
  ['findmy', 'Find My'],
  ['activity', 'Fitness'],
  ['mobileslideshow', 'Photos'],
  ['photos', 'Photos'],
  ['business', 'Business'],
  ['animoji', 'Memoji'],
  ['stickers', 'Stickers'],
  ['music', 'Apple Music'],
  ['gamecenter', 'Game Center'],
  ['digitaltouch', 'Digital Touch'],
  ['handwriting', 'Handwriting'],
];

// Suffix segments of extension ids that say nothing about the app.
const GENERIC_SEGMENTS = new Set(['ext', 'extension', 'messages', 'messagesextension', 'messagesapp', 'imessage', 'imessageextension', 'stickers', 'app', 'ios', 'iosapp']);

/** A readable app name for a balloon bundle id ("…MSMessageExtensionBalloonPlugin:TEAM:com.apple.…PeerPayment…" → "Apple Pay"). */
export function friendlyAppName(bundleId: string | undefined): string | undefined {
  if (!bundleId) return undefined;
  if (bundleId === URL_BALLOON) return undefined;
  const extensionId = bundleId.split(':').at(-1)!;
  const lower = extensionId.toLowerCase();
  if (lower.startsWith('com.apple.')) {
    for (const [fragment, name] of KNOWN_APPS) if (lower.includes(fragment)) return name;
  }
  const segments = extensionId.split('.').slice(1).filter((s) => s && !GENERIC_SEGMENTS.has(s.toLowerCase()) && !/production|release/i.test(s));
  const last = segments.at(-1);
  if (!last) return undefined;
  return last.charAt(0).toUpperCase() + last.slice(1);
}
