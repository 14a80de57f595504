// Conformance: sticker effects and sources, chat properties (SCHEMA.md §2.5, §2.8, §4.11, §4.12).
import * as plist from 'plist';
import { describe, expect, it } from 'vitest';
import { decodeChatProperties } from '../../src/decode/chat-properties.js';
import { DecodeError } from '../../src/decode/errors.js';
import { stickerEffect, stickerEffectType, stickerSource } from '../../src/decode/sticker.js';
import { fixtureBytes, fixturesPresent, manifestCases } from './fixtures.js';

const bplist = (value: plist.PlistValue) => Buffer.from(plist.buildBinary(value));

describe.skipIf(!fixturesPresent)('sticker fixtures', () => {
  const cases = manifestCases('sticker');
  it('covers all five stickers', () => expect(cases.length).toBe(5));
  for (const c of cases) {
    it(`${c.id}: effect from the XMP packet`, () => {
      const heic = fixtureBytes(c.file);
      expect(stickerEffectType(heic) ?? null).toBe(c.expect.xmp_sticker_effect_type);
      expect(stickerEffect(heic)).toBe(c.expect.effect);
    });
  }
});

describe('sticker sources', () => {
  const userInfo = (pid: string) => bplist({ sid: 'S', pid, shash: 'h' });
  it('classifies by provider bundle id', () => {
    expect(stickerSource(userInfo('com.apple.messages.genmoji'), undefined, 'pink poodle')).toEqual({ source: 'genmoji', description: 'pink poodle' });
    expect(stickerSource(userInfo('com.apple.Jellyfish.Animoji'))).toEqual({ source: 'memoji' });
    expect(stickerSource(userInfo('com.apple.Animoji.StickersApp.MessagesExtension'))).toEqual({ source: 'memoji' });
    expect(stickerSource(userInfo('com.apple.Stickers.UserGenerated.MessagesExtension'))).toEqual({ source: 'user_generated' });
    const app = 'com.apple.messages.MSMessageExtensionBalloonPlugin:ARG3NC6KPP:com.freepeople.iosapp-production.stickers';
    expect(stickerSource(userInfo(app), bplist({ 'adam-id': 1, name: 'Free People', 'bundle-id': app }))).toEqual({ source: 'Free People' });
    expect(stickerSource(userInfo(app))).toEqual({ source: 'com.freepeople.iosapp-production.stickers' });
  });
  it('gives up quietly on missing or unreadable provenance', () => {
    expect(stickerSource()).toBeUndefined();
    expect(stickerSource(Buffer.from('garbage'))).toBeUndefined();
  });
  it('reads no effect from bytes without XMP', () => {
    expect(stickerEffect(Buffer.from('ftypheic....'))).toBe('normal');
    expect(stickerEffect(Buffer.from('<x stickerEffect:type="glitter"/>'))).toBe('glitter');
  });
});

describe.skipIf(!fixturesPresent)('chat properties fixtures', () => {
  const cases = manifestCases('chat_properties');
  it('covers all four', () => expect(cases.length).toBe(4));
  for (const c of cases) {
    it(`${c.id}: settings`, () => {
      const p = decodeChatProperties(fixtureBytes(c.file));
      expect({
        read_receipts_enabled: p.readReceiptsEnabled, last_message_guid: p.lastMessageGuid ?? null, forced_sms: p.forcedSms, group_photo_guid: p.groupPhotoGuid ?? null,
      }).toEqual({
        read_receipts_enabled: c.expect.read_receipts_enabled, last_message_guid: c.expect.last_message_guid, forced_sms: c.expect.forced_sms, group_photo_guid: c.expect.group_photo_guid,
      });
    });
  }
  it('rejects garbage', () => {
    expect(() => decodeChatProperties(Buffer.from('nope'))).toThrow(DecodeError);
  });
});
