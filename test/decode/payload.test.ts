// Conformance: link previews, app messages, Digital Touch (SCHEMA.md §2.3, §2.4, §2.7) and the balloons built from them.
import { describe, expect, it } from 'vitest';
import { decodeAppMessage } from '../../src/decode/app-message.js';
import { decodeDigitalTouch } from '../../src/decode/digital-touch.js';
import { DecodeError } from '../../src/decode/errors.js';
import { decodeBalloon, decodeBalloonReport, friendlyAppName } from '../../src/decode/payload.js';
import { decodeUrlPreview, previewUrl } from '../../src/decode/url-preview.js';
import { fixtureBytes, fixturesPresent, manifestCases } from './fixtures.js';

const APPLE_EPOCH_S = Date.UTC(2001, 0, 1) / 1000;
const orNull = (value: unknown) => value ?? null;

describe.skipIf(!fixturesPresent)('link preview fixtures', () => {
  for (const c of manifestCases('url')) {
    it(`${c.id}: link fields`, () => {
      const preview = decodeUrlPreview(fixtureBytes(c.file));
      const e = c.expect;
      expect({
        title: orNull(preview.title),
        summary: orNull(preview.summary),
        url: orNull(preview.url),
        original_url: orNull(preview.originalUrl),
        item_type: orNull(preview.itemType),
        images: preview.images,
        icons: preview.icons,
        site_name: orNull(preview.siteName),
        placeholder: preview.placeholder,
        resolved_url: orNull(previewUrl(preview)),
        override: preview.kind,
        root_class: preview.rootClass,
      }).toEqual({
        title: e.title, summary: e.summary, url: e.url, original_url: e.original_url, item_type: e.item_type, images: e.images, icons: e.icons,
        site_name: e.site_name, placeholder: e.placeholder, resolved_url: e.resolved_url, override: e.override, root_class: e.root_class,
      });
    });
  }

  for (const c of manifestCases('music')) {
    it(`${c.id}: Apple Music fields`, () => {
      const preview = decodeUrlPreview(fixtureBytes(c.file));
      const music = preview.music!;
      const e = c.expect;
      expect(preview.kind).toBe(e.override);
      expect({
        url: orNull(preview.url), preview: orNull(music.preview), artist: orNull(music.artist), album: orNull(music.album),
        track_name: orNull(music.trackName), lyrics: orNull(music.lyrics), store_identifier: orNull(music.storeIdentifier),
      }).toEqual({
        url: e.url, preview: e.preview, artist: e.artist, album: e.album, track_name: e.track_name, lyrics: e.lyrics, store_identifier: e.store_identifier,
      });
      if (e.lyric_excerpt_times) expect(music.lyricExcerptTimes).toEqual(e.lyric_excerpt_times);
    });
  }

  for (const c of manifestCases('placemark')) {
    it(`${c.id}: placemark fields`, () => {
      const preview = decodeUrlPreview(fixtureBytes(c.file));
      const p = preview.placemark!;
      expect(preview.kind).toBe(c.expect.override);
      expect({ url: preview.url, original_url: preview.originalUrl, place_name: preview.title }).toEqual({
        url: c.expect.url, original_url: c.expect.original_url, place_name: c.expect.place_name,
      });
      expect({
        name: p.name, address: p.address, state: p.state, city: p.city, iso_country_code: p.isoCountryCode, postal_code: p.postalCode,
        country: p.country, street: p.street, sub_administrative_area: p.subAdministrativeArea, sub_locality: p.subLocality,
      }).toEqual(c.expect.placemark);
    });
  }

  for (const c of manifestCases('appstore')) {
    it(`${c.id}: App Store fields`, () => {
      const preview = decodeUrlPreview(fixtureBytes(c.file));
      const app = preview.appStore!;
      expect(preview.kind).toBe(c.expect.override);
      expect({ url: preview.url, original_url: preview.originalUrl, app_name: app.appName, description: app.description, platform: app.platform, genre: app.genre }).toEqual({
        url: c.expect.url, original_url: c.expect.original_url, app_name: c.expect.app_name, description: c.expect.description, platform: c.expect.platform, genre: c.expect.genre,
      });
    });
  }

  for (const c of manifestCases('collaboration')) {
    it(`${c.id}: collaboration fields`, () => {
      const preview = decodeUrlPreview(fixtureBytes(c.file));
      const shared = preview.collaboration!;
      const e = c.expect;
      expect(preview.kind).toBe(e.override);
      expect({ original_url: preview.originalUrl, url: shared.url, title: shared.title, bundle_id: shared.bundleId, app_name: shared.appName, resolved_url: previewUrl(preview) }).toEqual({
        original_url: e.original_url, url: e.url, title: e.title, bundle_id: e.bundle_id, app_name: e.app_name, resolved_url: e.resolved_url,
      });
      // NSDate keeps millisecond precision (a JS Date holds whole milliseconds).
      expect(Math.abs(shared.creationDate!.getTime() / 1000 - APPLE_EPOCH_S - e.creation_date)).toBeLessThan(0.001);
      expect(shared.creationDate!.toISOString().slice(0, 23)).toBe(e.creation_date_utc.slice(0, 23));
    });
  }
});

describe.skipIf(!fixturesPresent)('app message fixtures', () => {
  const cases = manifestCases('app');
  it('covers all app messages', () => expect(cases.length).toBe(11));
  for (const c of cases) {
    it(`${c.id}: template fields`, () => {
      const m = decodeAppMessage(fixtureBytes(c.file));
      const e = c.expect;
      expect({
        image: orNull(m.image), url: orNull(m.url), title: orNull(m.title), subtitle: orNull(m.subtitle), caption: orNull(m.caption),
        subcaption: orNull(m.subcaption), trailing_caption: orNull(m.trailingCaption), trailing_subcaption: orNull(m.trailingSubcaption),
        app_name: orNull(m.appName), ldtext: orNull(m.ldtext), query: orNull(m.query), layout_class: m.layoutClass,
      }).toEqual({
        image: e.image, url: e.url, title: e.title, subtitle: e.subtitle, caption: e.caption, subcaption: e.subcaption,
        trailing_caption: e.trailing_caption, trailing_subcaption: e.trailing_subcaption, app_name: e.app_name, ldtext: e.ldtext,
        query: e.query, layout_class: e.layout_class,
      });
    });
  }
});

describe.skipIf(!fixturesPresent)('Digital Touch fixtures', () => {
  const cases = manifestCases('digital_touch');
  it('covers all Digital Touch payloads', () => expect(cases.length).toBe(6));
  for (const c of cases) {
    it(`${c.id}: kind, id and payload`, () => {
      const touch = decodeDigitalTouch(fixtureBytes(c.file));
      const e = c.expect;
      expect({ kind: touch.kind, kindId: touch.kindId, id: touch.id, fields: touch.payloadFields }).toEqual({
        kind: e.touch_kind, kindId: e.touch_kind_id, id: e.id, fields: e.payload.field_numbers,
      });
      if ('bpm' in e.payload) {
        expect(touch.bpm).toBe(e.payload.bpm);
        expect(touch.duration).toBe(e.payload.duration);
        expect(touch.heartBrokenAt).toBeCloseTo(e.payload.heart_broken_at, 6);
      }
      if (e.touch_kind === 'fireball') expect(touch.duration).toBeCloseTo(e.payload.duration, 6);
      if (e.touch_kind === 'sketch') expect(touch.strokesCount).toBe(e.payload.strokes_count);
    });
  }
});

const PEER_PAYMENT = 'com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.PassbookUIService.PeerPaymentMessagesExtension';

describe.skipIf(!fixturesPresent)('balloons as a reader sees them', () => {
  it('link preview', () => {
    expect(decodeBalloon(fixtureBytes('url_message/MetadataURL.plist'), 'com.apple.messages.URLBalloonProvider')).toEqual({
      type: 'link', bundleId: 'com.apple.messages.URLBalloonProvider', url: 'https://chrissardegna.com', title: 'Christopher Sardegna',
      subtitle: undefined, summary: 'Sample page description', captions: [],
    });
  });

  it('Apple Music with lyrics', () => {
    const balloon = decodeBalloon(fixtureBytes('music_message/AppleMusicLyrics.plist'), 'com.apple.messages.URLBalloonProvider');
    expect(balloon).toMatchObject({ type: 'music', appName: 'Apple Music', title: 'Another Chapter', subtitle: 'Dual Core', captions: ['Downtime'] });
    expect(balloon.summary).toMatch(/^I remember when it all started, something from a dream\n/);
  });

  it('shared place, App Store app, Freeform board', () => {
    const url = 'com.apple.messages.URLBalloonProvider';
    expect(decodeBalloon(fixtureBytes('shared_placemark/SharedPlacemark.plist'), url)).toMatchObject({
      type: 'place', title: 'Cherry Cove', subtitle: 'Cherry Cove Avalon CA 90704 United States',
    });
    expect(decodeBalloon(fixtureBytes('app_store/AppStoreLink.plist'), url)).toMatchObject({
      type: 'app-store', title: 'SortPuz - Water Puzzles Games', subtitle: 'Sort the water color match 3d', captions: ['iOS', 'Games'],
    });
    expect(decodeBalloon(fixtureBytes('collaboration_message/Freeform.plist'), url)).toMatchObject({
      type: 'collaboration', appName: 'Freeform', title: 'Untitled', url: 'https://www.icloud.com/freeform/REDACTED',
    });
  });

  it('Apple Pay: captions, no data: URL, no raw plist', () => {
    expect(decodeBalloon(fixtureBytes('app_message/Sent265.plist'), PEER_PAYMENT)).toEqual({
      type: 'app', bundleId: PEER_PAYMENT, appName: 'Apple\u00a0Pay', title: 'Sent $265 with Apple\u00a0Pay.', subtitle: undefined, summary: undefined,
      url: undefined, captions: ['Apple\u00a0Cash', '$265\u00a0Payment'],
    });
  });

  it('OpenTable: title, subtitle, captions and link', () => {
    const balloon = decodeBalloon(fixtureBytes('app_message/OpenTableInvited.plist'), 'com.apple.messages.MSMessageExtensionBalloonPlugin:XYZ:com.contextoptional.OpenTable.Messages');
    expect(balloon).toMatchObject({
      type: 'app', appName: 'OpenTable', title: 'Rusty Grill - Boise', subtitle: 'Reservation Confirmed',
      captions: ['Table for 4 people\nSunday, October 17 at 7:45 PM', "You're invited! Tap to accept."],
    });
    expect(balloon.url).toMatch(/^https:\/\/www\.opentable\.com\//);
  });

  it('Check In: the caption repeating the description is shown once', () => {
    const balloon = decodeBalloon(fixtureBytes('app_message/CheckinTimer.plist'), 'com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.SafetyMonitorApp.SafetyMonitorMessages');
    expect(balloon).toMatchObject({ type: 'app', appName: 'Check\u00a0In', title: 'Check\u00a0In: Timer Started', captions: [] });
  });

  it('Digital Touch', () => {
    const bundle = 'com.apple.DigitalTouchBalloonProvider';
    expect(decodeBalloon(fixtureBytes('digital_touch_message/heartbeat.bin'), bundle)).toMatchObject({
      type: 'digital-touch', bundleId: bundle, appName: 'Digital Touch', title: 'Digital Touch: heartbeat', captions: ['84 BPM', '2 s long'],
      drawing: { width: 320, height: 400, background: '#000000' },
    });
    expect(decodeBalloon(fixtureBytes('digital_touch_message/heartbreak.bin'), bundle).title).toBe('Digital Touch: broken heart');
    expect(decodeBalloon(fixtureBytes('digital_touch_message/fireball.bin'), bundle).title).toBe('Digital Touch: fireball');
  });

  it('malformed payloads become unknown balloons with a problem, never an exception', () => {
    const report = decodeBalloonReport(Buffer.from('garbage'), PEER_PAYMENT);
    expect(report.balloon).toEqual({ type: 'unknown', bundleId: PEER_PAYMENT, title: 'Apple Pay', captions: [] });
    expect(report.problem).toMatch(/unreadable Apple Pay balloon/);
    for (const bundle of ['com.apple.messages.URLBalloonProvider', 'com.apple.DigitalTouchBalloonProvider', 'com.apple.Handwriting.HandwritingProvider']) {
      for (const bytes of [Buffer.from([0xff, 0xff, 0xff]), fixtureBytes('typedstream/Mention'), fixtureBytes('app_message/Game.plist').subarray(0, 200)]) {
        const { balloon, problem } = decodeBalloonReport(bytes, bundle);
        // A damaged link preview stays a link (its URL comes from the message text, issue #10 item 13).
        expect(balloon.type).toBe(bundle === 'com.apple.messages.URLBalloonProvider' ? 'link' : 'unknown');
        expect(problem).toBeDefined();
      }
    }
  });
});

describe('balloon names without payloads', () => {
  it('names apps from their extension ids', () => {
    expect(friendlyAppName('com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.SafetyMonitorApp.SafetyMonitorMessages')).toBe('Check In');
    expect(friendlyAppName('com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.findmy.FindMyMessagesApp')).toBe('Find My');
    expect(friendlyAppName('com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.mobileslideshow.PhotosMessagesApp')).toBe('Photos');
    expect(friendlyAppName('com.apple.messages.MSMessageExtensionBalloonPlugin:X:com.gamerdelights.gamepigeon.ext')).toBe('Gamepigeon');
    expect(friendlyAppName(undefined)).toBeUndefined();
  });

  it('builds a balloon from the bundle id alone', () => {
    expect(decodeBalloon(undefined, undefined)).toEqual({ type: 'unknown', bundleId: undefined, title: undefined, captions: [] });
    expect(decodeBalloon(undefined, 'com.apple.messages.URLBalloonProvider')).toEqual({ type: 'link', bundleId: 'com.apple.messages.URLBalloonProvider', captions: [] });
    expect(decodeBalloon(undefined, PEER_PAYMENT)).toMatchObject({ type: 'app', appName: 'Apple Pay' });
  });

  it('throws DecodeError from the strict decoders on garbage', () => {
    expect(() => decodeUrlPreview(Buffer.from('xx'))).toThrow(DecodeError);
    expect(() => decodeAppMessage(Buffer.from('xx'))).toThrow(DecodeError);
    expect(() => decodeDigitalTouch(Buffer.from([0x0a, 0xff]))).toThrow(DecodeError);
  });
});
