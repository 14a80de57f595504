import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES, HAVE_FIXTURES, runCli, tempDir } from '../support/cli.js';

describe.skipIf(!HAVE_FIXTURES)('the real chat.db from ../shared/fixtures/apple/db/test.db', () => {
  const db = join(FIXTURES, 'apple', 'db', 'test.db');

  it('exports both of its messages, text read from attributedBody', async () => {
    const out = tempDir('real');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'txt', '--quiet']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Exported 1 conversation, 2 messages, 1 attachment \(1 missing\), 0 warnings in /);
    const files = readdirSync(out).filter((f) => f.endsWith('.txt'));
    expect(files).toEqual(['Messages without a conversation.txt']);
    const text = readFileSync(join(out, files[0]!), 'utf8');
    expect(text).toContain('I’m going to try to eat as quick as possible and then come over');
    expect(text).toContain('LastPass no longer listed on the Chrome Web Store - gHacks Tech News');
    expect(text).toContain('https://www.ghacks.net/2020/01/23/lastpass-no-longer-listed-on-the-chrome-web-store/');
  });

  it("says which of the owner's numbers its messages were received on (destination_caller_id)", async () => {
    const out = tempDir('real-owner');
    const result = await runCli(['export', '--db', db, '--out', out, '--format', 'json,txt', '--quiet']);
    expect(result.code, result.stderr).toBe(0);
    const file = JSON.parse(readFileSync(join(out, 'Messages without a conversation.json'), 'utf8')) as { conversation: { ownerHandles?: string[] }; messages: { ownerHandle?: string }[] };
    expect(file.messages.map((m) => m.ownerHandle)).toEqual(['+15558675309', '+15558675309']);
    expect(file.conversation.ownerHandles).toEqual(['+15558675309']);
    expect(readFileSync(join(out, 'Messages without a conversation.txt'), 'utf8')).toMatch(/^Me: \+15558675309$/m);
    const listed = await runCli(['list', '--db', db, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect((JSON.parse(listed.stdout) as { ownerHandles?: string[] }[]).map((c) => c.ownerHandles)).toEqual([['+15558675309']]);
  });

  it('lists its conversations', async () => {
    const result = await runCli(['list', '--db', db]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Messages without a conversation +2 /);
  });

  it('chooses its messages of no chat by their id or their whole title, not by part of it', async () => {
    for (const term of ['messages-without-conversation', 'messages without a conversation']) {
      const result = await runCli(['list', '--db', db, '--exact', '--chat', term]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/Messages without a conversation +2 /);
    }
    const part = await runCli(['list', '--db', db, '--chat', 'without']);
    expect(part.code).toBe(1);
    expect(part.stderr).toMatch(/^textkeeper: No conversation matches --chat without/);
  });
});
