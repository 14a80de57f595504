// What the generator writes and how often: the kinds of message rows, their weights in the random
// mix, and the schedule that places every feature at least once even in small samples.
import { SCRIPTS } from './content.js';
import { TOUCH_KINDS } from './digital-touch.js';

export type Kind =
  | 'text' | 'multiline' | 'long' | 'link' | 'mention' | 'styled' | 'textEffect' | 'expressive' | 'urlPreview'
  | 'image' | 'heic' | 'multipart' | 'audio' | 'video' | 'document' | 'sticker' | 'missingAttachment'
  | 'hostileAttachment' | 'tapback' | 'emojiTapback' | 'stickerTapback' | 'balloonTapback' | 'partTapback' | 'tapbackRemoval' | 'reply' | 'edited'
  | 'unsent' | 'partUnsent' | 'memberAdded' | 'memberRemoved' | 'renamed' | 'memberLeft' | 'photoChanged'
  | 'photoRemoved' | 'script' | 'digitalTouch';

export const RANDOM_WEIGHTS: Partial<Record<Kind, number>> = {
  text: 56, multiline: 3, long: 0.12, link: 2, mention: 1.2, styled: 1, textEffect: 0.6, expressive: 1,
  urlPreview: 0.8, image: 5, heic: 1, multipart: 1.2, audio: 1, video: 0.3, document: 0.3, sticker: 0.4,
  tapback: 8, emojiTapback: 1, stickerTapback: 0.2, tapbackRemoval: 1.2, reply: 4, edited: 1.3, unsent: 0.4,
  partUnsent: 0.1, memberAdded: 0.25, memberRemoved: 0.15, renamed: 0.15, memberLeft: 0.1, photoChanged: 0.1,
  photoRemoved: 0.05,
};

export const GROUP_ONLY = new Set<Kind>(['mention', 'memberAdded', 'memberRemoved', 'renamed', 'memberLeft', 'photoChanged', 'photoRemoved']);
/** Features SMS (and RCS) do not carry: effects, formatting, rich links, editing and unsending. */
export const IMESSAGE_ONLY = new Set<Kind>([
  'expressive', 'textEffect', 'styled', 'urlPreview', 'edited', 'unsent', 'partUnsent', 'stickerTapback', 'balloonTapback',
  'digitalTouch',
]);
/** Messages of text alone (the generator's `textKind`). */
export const TEXT_KINDS = new Set<Kind>(['text', 'script', 'multiline', 'long', 'link', 'mention', 'styled', 'textEffect', 'expressive']);
export const IMAGE_KINDS = new Set<Kind>(['image', 'heic', 'multipart']);
/** Newer than the legacy layout: they need its missing columns, or came with later macOS releases. */
export const MODERN_ONLY = new Set<Kind>(['edited', 'unsent', 'partUnsent', 'reply', 'emojiTapback', 'stickerTapback']);

export const EXPRESSIVE_EFFECTS = [
  'com.apple.MobileSMS.expressivesend.impact',
  'com.apple.MobileSMS.expressivesend.loud',
  'com.apple.MobileSMS.expressivesend.gentle',
  'com.apple.MobileSMS.expressivesend.invisibleink',
  'com.apple.messages.effect.CKConfettiEffect',
  'com.apple.messages.effect.CKFireworksEffect',
  'com.apple.messages.effect.CKLasersEffect',
  'com.apple.messages.effect.CKHappyBirthdayEffect',
  'com.apple.messages.effect.CKHeartEffect',
  'com.apple.messages.effect.CKEchoEffect',
  'com.apple.messages.effect.CKSpotlightEffect',
  'com.apple.messages.effect.CKShootingStarEffect',
  'com.apple.messages.effect.CKSparklesEffect',
];

/** Every feature at least once, spread over the timeline, so even small samples cover everything. */
export const MANDATORY: Kind[] = [
  'multiline', 'long', 'link', 'mention', 'styled', 'textEffect', ...EXPRESSIVE_EFFECTS.map(() => 'expressive' as const),
  'urlPreview', 'image', 'heic', 'multipart', 'audio', 'video', 'document', 'sticker', 'sticker', 'sticker', 'missingAttachment',
  'hostileAttachment', ...Array.from({ length: 6 }, () => 'tapback' as const), 'emojiTapback', 'stickerTapback', 'balloonTapback', 'partTapback',
  'tapbackRemoval', 'tapbackRemoval', 'reply', 'reply', 'edited', 'edited', 'unsent', 'partUnsent', 'memberAdded',
  'memberRemoved', 'renamed', 'memberLeft', 'photoChanged', 'photoRemoved',
  ...(Object.keys(SCRIPTS) as Array<keyof typeof SCRIPTS>).map(() => 'script' as const),
  ...TOUCH_KINDS.map(() => 'digitalTouch' as const),
];
