import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../support/cli.js';
import { anotherMac, deviceSlice, exportFrom, generateHistory, type History } from './device.js';

interface Participant {
  handle: string;
  name: string;
  otherHandles?: string[];
}

interface Exported {
  /** Each conversation by its participants' handles (sorted): its id, services and participants. */
  conversations: Map<string, { id: string; services: string[]; participants: Participant[] }>;
  /** Each NDJSON line: its conversation's id, the message's GUID and its sender's handle. */
  lines: string[];
}

/**
 * The same history on another Mac (see `anotherMac`: Mom's SMS chat met before her iMessage one), which keeps
 * +15555550101 without its country code, as a device may.
 */
function withNationalNumber(device: string): string {
  const db = new Database(join(anotherMac(device), 'chat.db'));
  db.exec(`UPDATE handle SET id = '5555550101' WHERE id = '+15555550101';
    UPDATE chat SET guid = replace(guid, '+15555550101', '5555550101'), chat_identifier = '5555550101' WHERE chat_identifier = '+15555550101';`);
  db.close();
  return device;
}

function exported(out: string): Exported {
  const conversations = new Map<string, { id: string; services: string[]; participants: Participant[] }>();
  for (const file of readdirSync(out).filter((f) => f.endsWith('.json'))) {
    const { id, services, participants } = (JSON.parse(readFileSync(join(out, file), 'utf8')) as { conversation: { id: string; services: string[]; participants: Participant[] } }).conversation;
    conversations.set(participants.map((p) => p.handle).sort().join(','), { id, services, participants });
  }
  const lines = readFileSync(join(out, 'messages.ndjson'), 'utf8').trim().split('\n').map((line) => {
    const { conversationId, guid, sender } = JSON.parse(line) as { conversationId: string; guid: string; sender: { handle: string } };
    return `${conversationId} ${guid} ${sender.handle}`;
  });
  return { conversations, lines: lines.sort() };
}

function ids(found: Exported): Map<string, string> {
  return new Map([...found.conversations].map(([who, c]) => [who, c.id]));
}

describe('a conversation’s id, read from two Macs that know it by other chats', () => {
  let history: History;
  let macbook: string;
  let imac: string;

  beforeAll(async () => {
    history = await generateHistory(300, 61, 5);
    // They share the middle third; the MacBook has the first, the iMac the last.
    macbook = deviceSlice(history, undefined, history.thirds[1]);
    imac = withNationalNumber(deviceSlice(history, history.thirds[0], undefined));
  });

  const together = async (devices: string[]) => {
    const out = join(tempDir('together'), 'archive');
    const run = await runCli(['export', ...devices.flatMap((d) => ['--db', join(d, 'chat.db')]), '--out', out, '--format', 'txt,json,ndjson', '--no-progress']);
    expect(run.code, run.stderr).toBe(0);
    return out;
  };

  it('is the same, with the same services and senders, whichever source is given first', async () => {
    const first = await together([macbook, imac]);
    const both = exported(first);
    expect(exported(await together([imac, macbook]))).toEqual(both);
    // The chat most sources give, else the first in character order: the MacBook's iMessage chat, the iMac's SMS one.
    expect(both.conversations.get('+15555550100')!.id).toBe('SMS;-;+15555550100');
    const list = JSON.parse((await runCli(['list', '--db', join(imac, 'chat.db'), '--db', join(macbook, 'chat.db'), '--json'])).stdout) as { id: string }[];
    expect(list.map((c) => c.id).sort()).toEqual([...ids(both).values()].sort());
  });

  it('shows a number one Mac keeps without its country code once, in E.164', async () => {
    const out = await together([imac, macbook]);
    const { conversations } = exported(out);
    expect(conversations.get('+15555550101')!.participants).toEqual([{ handle: '+15555550101', name: '+15555550101' }]);
    const text = readdirSync(out).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
    expect(text).toContain('Participants: +15555550101\n');
    expect(text).not.toMatch(/Participants: .*\b5555550101/);
    const list = (await runCli(['list', '--db', join(imac, 'chat.db'), '--db', join(macbook, 'chat.db')])).stdout;
    expect(list).toContain('+15555550101');
    expect(list).not.toMatch(/[^+\d]5555550101/);
  });

  it('is kept by an archive through runs whose devices know the conversation by other chats, in either order', async () => {
    for (const devices of [[macbook, imac], [imac, macbook]]) {
      const out = join(tempDir('in-turns'), 'archive');
      await exportFrom(devices[0]!, out, 'json,ndjson');
      const first = ids(exported(out));
      await exportFrom(devices[1]!, out, 'json,ndjson');
      const after = exported(out);
      expect(ids(after)).toEqual(first);
      // Every message of both runs carries it, as a script joining this run's messages.ndjson with the last one's needs.
      expect(new Set(after.lines.map((line) => line.split(' ')[0]))).toEqual(new Set(first.values()));
      // --chat still finds the conversation by each of its chats.
      for (const guid of ['iMessage;-;+15555550100', 'SMS;-;+15555550100']) {
        const chosen = JSON.parse((await runCli(['list', '--archive', out, '--chat', guid, '--json', '--quiet'])).stdout) as { id: string }[];
        expect(chosen.map((c) => c.id)).toEqual([first.get('+15555550100')]);
      }
    }
  });
});
