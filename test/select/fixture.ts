import { join } from 'node:path';
import { generateChatDb } from '../../src/generate/index.js';
import { contactsForHandles, formatPhoneLikeAPerson, handlesFromChatDb, writeVcf } from '../../src/generate/contacts.js';
import type { ConversationRecord as ConversationJson } from '../../src/render/json/records.js';
import { runCli, tempDir } from '../support/cli.js';

export const NAME = 'Zoë Ångström';

/**
 * A generated database with contacts, one member of a group named with accents: its path, the
 * contacts file, the member's number as a person types it, and every conversation as `list --json` says.
 */
export async function selectFixture(label: string) {
  const dir = tempDir(label);
  const db = join(dir, 'chat.db');
  const summary = await generateChatDb({ path: db, messages: 1500, seed: 21 });
  const contacts = contactsForHandles(handlesFromChatDb(db), 21);
  const cardOf = (phone: string) => contacts.find((c) => c.phones.some((p) => phone.endsWith(p.replace(/\D/g, '').slice(-10))));
  const group = summary.conversations.find((c) => c.isGroup && c.participants.some((h) => h.startsWith('+') && cardOf(h)))!;
  const phone = group.participants.find((h) => h.startsWith('+') && cardOf(h))!;
  Object.assign(cardOf(phone)!, { firstName: 'Zoë', lastName: 'Ångström', expectedName: NAME });
  const vcf = join(dir, 'contacts.vcf');
  writeVcf(vcf, contacts);
  const base = ['--db', db, '--contacts', vcf];
  const all = JSON.parse((await runCli(['list', ...base, '--json'])).stdout) as ConversationJson[];
  return { dir, db, base, phone, typedPhone: formatPhoneLikeAPerson(phone, 0), all };
}

export function ids(conversations: ConversationJson[]): string[] {
  return conversations.map((c) => c.id).sort();
}
