// Polls payloads: the option list of a poll and the votes of a vote, read from the base64 JSON of the layout's data: URL.
import { describe, expect, it } from 'vitest';
import * as plist from 'plist';
import { DecodeError } from '../../src/decode/errors.js';
import { decodeBalloonReport } from '../../src/decode/payload.js';
import { decodePollPayload, isPollBalloon } from '../../src/decode/polls.js';
import { encodePollLayout } from '../../src/generate/keyed-archive.js';

const BUNDLE = 'com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.messages.Polls';
const SESSION = '6F1C2A3B-4D5E-4F60-8172-839405A6B7C8';
const OPTIONS = [
  { optionIdentifier: 'A1', text: 'Pizza', attributedText: 'Pizza', creatorHandle: 'owner@example.com', canBeEdited: false },
  { optionIdentifier: 'B2', text: 'Tacos', attributedText: 'Tacos', creatorHandle: '+15555550101', canBeEdited: false },
];

/** A layout whose URL is any string (a data: URL made by hand). */
function layoutWithUrl(url: string): Buffer {
  const objects = ['$null', { 'NS.keys': [{ UID: 3 }], 'NS.objects': [{ UID: 4 }], $class: { UID: 2 } }, { $classname: 'NSDictionary', $classes: ['NSDictionary', 'NSObject'] }, 'URL', url];
  return Buffer.from(plist.buildBinary({ $version: 100000, $archiver: 'NSKeyedArchiver', $top: { root: { UID: 1 } }, $objects: objects } as never));
}

describe('poll payloads', () => {
  it('knows the Polls balloon by its extension id, whatever comes before it', () => {
    expect(isPollBalloon(BUNDLE)).toBe(true);
    expect(isPollBalloon('com.apple.messages.Polls')).toBe(true);
    expect(isPollBalloon('com.apple.messages.MSMessageExtensionBalloonPlugin:0000000000:com.apple.PassbookUIService.PeerPaymentMessagesExtension')).toBe(false);
    expect(isPollBalloon(null)).toBe(false);
  });

  it('reads a poll: its options in order, each with its id, text and who added it, and the question when there is one', () => {
    const payload = encodePollLayout({ version: 1, item: { title: '', creatorHandle: 'owner@example.com', orderedPollOptions: OPTIONS } }, SESSION, 'Sent a poll', 2);
    expect(decodePollPayload(payload)).toEqual({
      question: undefined,
      creatorHandle: 'owner@example.com',
      options: [
        { id: 'A1', text: 'Pizza', creatorHandle: 'owner@example.com' },
        { id: 'B2', text: 'Tacos', creatorHandle: '+15555550101' },
      ],
      votes: undefined,
    });
    const titled = encodePollLayout({ version: 1, item: { title: 'Dinner?', orderedPollOptions: OPTIONS } }, SESSION, 'Sent a poll', 2);
    expect(decodePollPayload(titled).question).toBe('Dinner?');
  });

  it('reads a vote: each option its sender votes for now, with the time the server gave it (seconds since 2001)', () => {
    const payload = encodePollLayout({ version: 1, item: { votes: [
      { voteOptionIdentifier: 'A1', participantHandle: '+15555550101', serverVoteTime: 780000000.5 },
      { voteOptionIdentifier: 'B2', participantHandle: '+15555550101' },
    ] } }, SESSION);
    expect(decodePollPayload(payload).votes).toEqual([
      { optionId: 'A1', handle: '+15555550101', date: new Date(Date.UTC(2001, 0, 1) + 780000000500) },
      { optionId: 'B2', handle: '+15555550101', date: undefined },
    ]);
    // Every vote taken back: an empty list, which is still a vote's payload.
    expect(decodePollPayload(encodePollLayout({ version: 1, item: { votes: [] } }, SESSION)).votes).toEqual([]);
  });

  it('takes JSON in the URL left unencoded or percent-escaped, and base64 without its padding', () => {
    const json = JSON.stringify({ item: { orderedPollOptions: [{ optionIdentifier: 'X', text: 'Sí' }] } });
    expect(decodePollPayload(layoutWithUrl(`data:,${encodeURIComponent(json)}`)).options).toEqual([{ id: 'X', text: 'Sí', creatorHandle: undefined }]);
    const unpadded = Buffer.from(json).toString('base64').replace(/=+$/, '');
    expect(decodePollPayload(layoutWithUrl(`data:,${unpadded}?src=p&c=1`)).options[0]!.text).toBe('Sí');
  });

  it('leaves out options and votes it cannot read, and refuses a payload that is no poll, with a DecodeError', () => {
    const odd = encodePollLayout({ item: { orderedPollOptions: [7, { optionIdentifier: 'C' }, { attributedText: 'Only attributed' }], votes: [null, { participantHandle: 'x' }, { voteOptionIdentifier: 'C', serverVoteTime: 'soon' }] } }, SESSION);
    expect(decodePollPayload(odd)).toMatchObject({ options: [{ id: '', text: 'Only attributed' }], votes: [{ optionId: 'C', date: undefined }] });
    for (const url of ['https://example.com/poll', 'data:,not base64 json', 'data:,%E0%A4%A', `data:,${Buffer.from('[1,2]').toString('base64')}`, `data:,${Buffer.from('{"item":{"title":"t"}}').toString('base64')}`]) {
      expect(() => decodePollPayload(layoutWithUrl(url)), url).toThrow(DecodeError);
    }
    expect(() => decodePollPayload(Buffer.from('not a plist'))).toThrow(DecodeError);
  });

  it('still shows an unreadable Polls balloon as the app it comes from (no crash)', () => {
    const report = decodeBalloonReport(Buffer.from('garbage'), BUNDLE);
    expect(report.balloon).toMatchObject({ type: 'unknown', title: 'Polls' });
    expect(report.problem).toMatch(/unreadable Polls balloon/);
  });
});
