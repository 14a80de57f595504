import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContactBook, loadContacts } from '../../src/contacts/contact-book.js';
import { normalizeHandle } from '../../src/contacts/handles.js';
import { parseVcards } from '../../src/contacts/vcard.js';
import {
  contactsForHandles,
  handlesFromChatDb,
  writeIphoneAddressBook,
  writeMacAddressBook,
  writeContacts,
  writeVcf,
  type GeneratedContact,
} from '../../src/generate/contacts.js';
import { writeBackup } from '../../src/generate/backup.js';
import { openBackup } from '../../src/sources/backup/open-backup.js';
import { makeTinyChatDb } from './tiny-chat-db.js';
import { hashTree } from './tree-hash.js';

const CONTACTS: GeneratedContact[] = [
  { firstName: 'Mom', expectedName: 'Mom', phones: ['(555) 555-0123'], emails: ['MOM@Example.com'] },
  { firstName: 'Ann', lastName: 'Lee', expectedName: 'Ann Lee', phones: ['+1 555-555-0188'], emails: [] },
  { firstName: 'Chloé', lastName: 'Müller', expectedName: 'Chloé Müller', phones: [], emails: ['chloe.mueller@example.org'] },
  { organization: 'Acme Dental', expectedName: 'Acme Dental', phones: ['555.555.0199'], emails: [] },
];

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'tk-contacts-test-'));
  process.env.TMPDIR = path.join(work, 'tmp');
  mkdirSync(process.env.TMPDIR);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function expectNames(book: ContactBook) {
  expect(book.nameFor('+15555550123')).toBe('Mom');
  expect(book.nameFor('(555) 555-0123')).toBe('Mom');
  expect(book.nameFor('+1 555-555-0123')).toBe('Mom');
  expect(book.nameFor('mom@example.com')).toBe('Mom');
  expect(book.nameFor('Mom@EXAMPLE.COM')).toBe('Mom');
  expect(book.nameFor('+15555550188')).toBe('Ann Lee');
  expect(book.nameFor('(555) 555-0188')).toBe('Ann Lee');
  expect(book.nameFor('Chloe.Mueller@Example.org')).toBe('Chloé Müller');
  expect(book.nameFor('+15555550199')).toBe('Acme Dental');
  expect(book.nameFor('+15555550100')).toBeUndefined();
  // A person's phone and email share one key; strangers keep their normalized handle.
  expect(book.personKey('mom@EXAMPLE.com')).toBe(book.personKey('(555) 555-0123'));
  expect(book.personKey('+15555550188')).not.toBe(book.personKey('+15555550123'));
  expect(book.personKey('(555) 555-0100')).toBe('+15555550100');
  expect(book.personKey('Stranger@Example.com')).toBe('stranger@example.com');
}

describe('contacts from each source', () => {
  it('a Mac address book (in Sources/<id>/) without touching its folder', async () => {
    const dir = path.join(work, 'AddressBook');
    mkdirSync(path.join(dir, 'Sources', 'ABC-123'), { recursive: true });
    writeMacAddressBook(path.join(dir, 'Sources', 'ABC-123', 'AddressBook-v22.abcddb'), CONTACTS);
    const before = hashTree(dir);
    const { book, warnings } = await loadContacts({ addressBookDirs: [dir] });
    expect(warnings).toEqual([]);
    expectNames(book);
    expect(hashTree(dir)).toBe(before);
  });

  it('an iPhone AddressBook.sqlitedb', async () => {
    const file = path.join(work, 'AddressBook.sqlitedb');
    writeIphoneAddressBook(file, CONTACTS);
    const { book, warnings } = await loadContacts({ backupAddressBook: file });
    expect(warnings).toEqual([]);
    expectNames(book);
    expect(readdirSync(work).filter((name) => name.startsWith('AddressBook.sqlitedb'))).toEqual(['AddressBook.sqlitedb']);
  });

  it('a .vcf file', async () => {
    const file = path.join(work, 'contacts.vcf');
    writeVcf(file, CONTACTS);
    const { book, warnings } = await loadContacts({ files: [file] });
    expect(warnings).toEqual([]);
    expectNames(book);
  });

  it('several iPhone address books at once', async () => {
    const first = path.join(work, 'first.sqlitedb');
    const second = path.join(work, 'second.sqlitedb');
    writeIphoneAddressBook(first, CONTACTS.slice(0, 2));
    writeIphoneAddressBook(second, CONTACTS.slice(2));
    const { book, warnings } = await loadContacts({ backupAddressBook: [first, second] });
    expect(warnings).toEqual([]);
    expectNames(book);
  });

  it('an iPhone backup’s address book, plain and encrypted', async () => {
    const chat = makeTinyChatDb(mkdtempSync(path.join(work, 'chat-')));
    const addressBook = path.join(work, 'phone-contacts.sqlitedb');
    writeIphoneAddressBook(addressBook, CONTACTS);
    for (const encryption of [undefined, { password: 'pw', dpIterations: 1000, iterations: 10 }]) {
      const outDir = mkdtempSync(path.join(work, 'backup-'));
      await writeBackup({ chatDb: chat.chatDb, outDir, seed: 1, addressBook, encryption });
      const before = hashTree(outDir);
      const source = await openBackup(outDir, { password: async () => 'pw' });
      try {
        const file = await source.contactsDatabase();
        const { book, warnings } = await loadContacts({ backupAddressBook: file });
        expect(warnings).toEqual([]);
        expectNames(book);
      } finally {
        await source.dispose();
      }
      expect(hashTree(outDir)).toBe(before);
    }
  });
});

describe('generated contacts for a chat.db', () => {
  it('name every handle but the last, with formatted numbers and case-varied emails', async () => {
    const chat = makeTinyChatDb(mkdtempSync(path.join(work, 'chat-')));
    const handles = handlesFromChatDb(chat.chatDb);
    expect(handles).toEqual(chat.handles);
    const contacts = contactsForHandles(handles, 5);
    expect(contacts[0].expectedName).toBe('Mom');
    expect(contacts[0].phones).toEqual(['(555) 555-0123']);
    expect(contacts[0].emails).toEqual(['ALICE.DOE@EXAMPLE.COM']);
    const vcf = path.join(work, 'generated.vcf');
    writeVcf(vcf, contacts);
    const { book } = await loadContacts({ files: [vcf] });
    expect(book.nameFor(handles[0])).toBe('Mom');
    expect(book.nameFor(handles[1])).toBe('Mom');
    expect(book.personKey(handles[1])).toBe(book.personKey(handles[0]));
    expect(book.nameFor(handles[2])).toBeUndefined();
    expect(contactsForHandles(handles, 5)).toEqual(contacts);
  });

  it('writeContacts writes all three sources with the same names', async () => {
    const chat = makeTinyChatDb(mkdtempSync(path.join(work, 'chat-')));
    const written = writeContacts({ chatDb: chat.chatDb, outDir: mkdtempSync(path.join(work, 'all-')), seed: 9 });
    for (const opts of [{ addressBookDirs: [written.macAddressBookDir] }, { backupAddressBook: written.iphoneAddressBook }, { files: [written.vcf] }]) {
      const { book, warnings } = await loadContacts(opts);
      expect(warnings).toEqual([]);
      expect(chat.handles.map((h) => book.nameFor(h))).toEqual(['Mom', 'Mom', undefined]);
    }
  });
});

describe('contact details', () => {
  it('reads a Mac address book’s write-ahead log without leaving -wal/-shm files', async () => {
    const dir = path.join(work, 'wal-book');
    mkdirSync(dir);
    const file = path.join(dir, 'AddressBook-v22.abcddb');
    writeMacAddressBook(file, CONTACTS);
    const writer = new Database(file);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.prepare("INSERT INTO ZABCDRECORD (Z_PK, ZFIRSTNAME, ZLASTNAME) VALUES (99, 'Newly', 'Added')").run();
    writer.prepare("INSERT INTO ZABCDPHONENUMBER (ZOWNER, ZFULLNUMBER) VALUES (99, '555-555-0177')").run();
    // Keep the writer open, like Contacts.app: the new card is only in the -wal file.
    const before = hashTree(dir);
    const { book } = await loadContacts({ addressBookDirs: [dir] });
    expect(book.nameFor('+15555550177')).toBe('Newly Added');
    expect(book.nameFor('+15555550123')).toBe('Mom');
    expect(hashTree(dir)).toBe(before);
    writer.close();
  });

  it('an unreadable source is a warning and the others still load', async () => {
    const dir = path.join(work, 'broken-book');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'AddressBook-v22.abcddb'), 'not a database');
    const vcf = path.join(work, 'ok.vcf');
    writeVcf(vcf, CONTACTS);
    const { book, warnings } = await loadContacts({
      addressBookDirs: [dir],
      files: [path.join(work, 'absent.vcf'), vcf],
    });
    expect(warnings).toEqual([
      expect.stringMatching(/^Cannot read contacts file .*absent\.vcf: .*; going on without it$/),
      expect.stringMatching(/^Cannot read contacts database .*AddressBook-v22\.abcddb: .*; going on without it$/),
    ]);
    expect(warnings.every((line) => !line.includes('\n'))).toBe(true);
    expectNames(book);
  });

  it('reads .vcf files with a byte-order mark, UTF-8 or UTF-16', async () => {
    const card = '\uFEFFBEGIN:VCARD\r\nVERSION:3.0\r\nFN:Łucja Ñúñez\r\nTEL:555-555-0161\r\nEND:VCARD\r\n';
    const utf8 = path.join(work, 'bom8.vcf');
    const utf16 = path.join(work, 'bom16.vcf');
    writeFileSync(utf8, card, 'utf8');
    writeFileSync(utf16, card, 'utf16le');
    for (const file of [utf8, utf16]) {
      const { book } = await loadContacts({ files: [file] });
      expect(book.nameFor('+15555550161')).toBe('Łucja Ñúñez');
    }
  });

  it('reads .vcf files in UTF-16 of either byte order, with or without a byte-order mark, and in 8-bit character sets', async () => {
    const card = (name: string, charset = '') => `BEGIN:VCARD\r\nVERSION:2.1\r\nFN${charset}:${name}\r\nTEL:555-555-0161\r\nEND:VCARD\r\n`;
    const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();
    const files: [string, Buffer, string][] = [
      ['be-bom.vcf', utf16be('\uFEFF' + card('Łucja Ñúñez')), 'Łucja Ñúñez'],
      ['be.vcf', utf16be(card('Łucja Ñúñez')), 'Łucja Ñúñez'],
      ['le.vcf', Buffer.from(card('Łucja Ñúñez'), 'utf16le'), 'Łucja Ñúñez'],
      ['latin1.vcf', Buffer.from(card('Liàm Müller', ';CHARSET=ISO-8859-1'), 'latin1'), 'Liàm Müller'],
      ['cp1252.vcf', Buffer.from(card('Zoë “Zo” Ørsted').replace('“', '\x93').replace('”', '\x94'), 'latin1'), 'Zoë “Zo” Ørsted'],
      // Latin-1 as Windows exports label it, with Windows-1252's quotes and euro sign, quoted-printable too.
      ['latin1-cp1252.vcf', Buffer.from(card('Zoë “Zo” €', ';CHARSET=ISO-8859-1').replace('“', '\x93').replace('”', '\x94').replace('€', '\x80'), 'latin1'), 'Zoë “Zo” €'],
      ['qp-cp1252.vcf', Buffer.from(card('Zo=EB =93Zo=94', ';CHARSET=WINDOWS-1252;ENCODING=QUOTED-PRINTABLE'), 'latin1'), 'Zoë “Zo”'],
      // Cyrillic from an older phone: KOI8-R bytes of "Иван".
      ['koi8.vcf', Buffer.concat([Buffer.from(card('@', ';CHARSET=KOI8-R').split('@')[0]!, 'latin1'), Buffer.from([0xe9, 0xd7, 0xc1, 0xce]), Buffer.from(card('@').split('@')[1]!, 'latin1')]), 'Иван'],
    ];
    for (const [name, bytes, expected] of files) {
      const file = path.join(work, name);
      writeFileSync(file, bytes);
      const { book, warnings } = await loadContacts({ files: [file] });
      expect(warnings, name).toEqual([]);
      expect(book.nameFor('+15555550161'), name).toBe(expected);
    }
    // Exports joined into one file: a UTF-8 card keeps its name beside an 8-bit one.
    const joined = path.join(work, 'joined.vcf');
    const latin1 = Buffer.from(card('Liàm Müller', ';CHARSET=ISO-8859-1'), 'latin1');
    writeFileSync(joined, Buffer.concat([Buffer.from(card('Łucja Ñúñez').replace('0161', '0162'), 'utf8'), latin1]));
    const { book } = await loadContacts({ files: [joined] });
    expect([book.nameFor('+15555550162'), book.nameFor('+15555550161')]).toEqual(['Łucja Ñúñez', 'Liàm Müller']);
    // Cards in different 8-bit character sets in one file (after an Android UTF-8 one): each read in its own.
    const mixed = path.join(work, 'mixed.vcf');
    const koi8 = Buffer.concat([Buffer.from(card('@', ';CHARSET=KOI8-R').split('@')[0]!, 'latin1'), Buffer.from([0xe9, 0xd7, 0xc1, 0xce]), Buffer.from(card('@').split('@')[1]!.replace('0161', '0163'), 'latin1')]);
    const arabic = Buffer.concat([Buffer.from(card('@', ';CHARSET=WINDOWS-1256').split('@')[0]!, 'latin1'), Buffer.from([0xe3, 0xcd, 0xe3, 0xcf]), Buffer.from(card('@').split('@')[1]!.replace('0161', '0164'), 'latin1')]);
    const android = card('Zo=C3=AB', ';CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE').replace('0161', '0165');
    writeFileSync(mixed, Buffer.concat([Buffer.from(android, 'latin1'), koi8, arabic, latin1]));
    const read = (await loadContacts({ files: [mixed] })).book;
    expect(['+15555550165', '+15555550163', '+15555550164', '+15555550161'].map((h) => read.nameFor(h))).toEqual(['Zoë', 'Иван', 'محمد', 'Liàm Müller']);
  });

  it('a contacts file is read by what it holds, whatever its name; one with no contacts is a warning', async () => {
    const mac = path.join(work, 'AddressBook-v22.abcddb');
    const phone = path.join(work, 'phone-book.db');
    writeMacAddressBook(mac, CONTACTS.slice(0, 2));
    writeIphoneAddressBook(phone, CONTACTS.slice(2));
    const named = await loadContacts({ files: [mac, phone] });
    expect(named.warnings).toEqual([]);
    expectNames(named.book);

    const chat = makeTinyChatDb(mkdtempSync(path.join(work, 'not-contacts-'))).chatDb;
    const text = path.join(work, 'notes.txt');
    writeFileSync(text, 'just some notes\n');
    const { warnings } = await loadContacts({ files: [chat, text] });
    expect(warnings).toEqual([
      expect.stringMatching(/^Cannot read contacts file .*chat\.db: a SQLite database that is neither a Mac nor an iPhone contacts database; going on without it$/),
      expect.stringMatching(/^No contacts in .*notes\.txt \(a \.vcf file, an AddressBook folder or an AddressBook\.sqlitedb was expected\)$/),
    ]);
  });

  it('gives a North American number in E.164 back as libphonenumber does, without it', () => {
    for (let area = 200; area <= 999; area += 7) {
      for (const line of ['2000000', '5550100', '9999999', '0000001', '8675309']) {
        const handle = `+1${area}${line}`;
        for (const country of ['US', 'GB', 'JP'] as const) {
          const phone = parsePhoneNumberFromString(handle, country);
          expect(normalizeHandle(handle, country)).toBe(phone?.isPossible() ? phone.number : handle);
        }
      }
    }
  });

  it('reads national numbers in the given country', async () => {
    expect(normalizeHandle('020 7946 0958', 'GB')).toBe('+442079460958');
    expect(normalizeHandle('+44 20 7946 0958')).toBe('+442079460958');
    expect(normalizeHandle('tel:+1-555-555-0123')).toBe('+15555550123');
    expect(normalizeHandle('12345')).toBe('12345');
    const vcf = path.join(work, 'gb.vcf');
    writeFileSync(vcf, 'BEGIN:VCARD\nVERSION:3.0\nFN:Pat Jones\nTEL:020 7946 0958\nEND:VCARD\n');
    const { book } = await loadContacts({ files: [vcf], country: 'gb' });
    expect(book.nameFor('+442079460958')).toBe('Pat Jones');
  });

  it('a number on two different people’s cards does not merge them', () => {
    const book = new ContactBook([
      { firstName: 'Mom', phones: ['555-555-0111', '555-555-0100'], emails: [] },
      { firstName: 'Dad', phones: ['555-555-0122', '555-555-0100'], emails: [] },
      { firstName: 'mom', phones: ['555-555-0111'], emails: ['mom@example.com'] },
    ]);
    expect(book.nameFor('555-555-0100')).toBe('Mom');
    expect(book.personKey('555-555-0122')).not.toBe(book.personKey('555-555-0111'));
    expect(book.personKey('mom@example.com')).toBe(book.personKey('555-555-0111'));
  });

  it('parses vCard 2.1 quoted-printable, folded lines, groups and escapes', () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;Zo=C3=AB;;;',
      'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Zo=C3=AB M=C3=BC=',
      'ller',
      'TEL;CELL:+1 (555) 555-0142',
      'END:VCARD',
      'BEGIN:VCARD',
      'VERSION:3.0',
      'N:Smith\\, Jr.;Robert;;;',
      'ORG:Smith \\; Sons;Sales',
      'item1.EMAIL;type=INTERNET:rob@exa',
      ' mple.com',
      'item2.TEL;VALUE=uri:tel:+1-555-555-0143',
      'END:VCARD',
    ].join('\r\n');
    expect(parseVcards(text)).toEqual([
      { lastName: 'Müller', firstName: 'Zoë', fullName: 'Zoë Müller', phones: ['+1 (555) 555-0142'], emails: [] },
      { lastName: 'Smith, Jr.', firstName: 'Robert', organization: 'Smith ; Sons', phones: ['tel:+1-555-555-0143'], emails: ['rob@example.com'] },
    ]);
    const book = new ContactBook(parseVcards(text));
    expect(book.nameFor('+15555550142')).toBe('Zoë Müller');
    expect(book.nameFor('+15555550143')).toBe('Robert Smith, Jr.');
  });
});
