import { OWNER_HANDLE, type Person } from '../model/types.js';
import type { HandleRow } from '../read/rows.js';

/** What the normalizer needs from an address book (src/contacts ContactBook is one; an empty one knows no names). */
export interface Contacts {
  /** A display name for a phone number or email; undefined when unknown. */
  nameFor(handle: string): string | undefined;
  /** The same key for every handle of one person (phone and email), whatever their formatting. */
  personKey(handle: string): string;
}

/** Turns handle row ids into People, once each. */
export class PeopleDirectory {
  readonly me: Person;
  private readonly byRowId = new Map<number, Person>();
  private readonly byHandle = new Map<string, Person>();

  constructor(handles: HandleRow[], contacts: Contacts, meName: string) {
    this.me = { handle: OWNER_HANDLE, name: meName, isMe: true };
    for (const row of handles) this.byRowId.set(row.rowId, this.forHandle(row.id, contacts));
  }

  private forHandle(handle: string, contacts: Contacts): Person {
    let person = this.byHandle.get(handle);
    if (!person) {
      person = { handle, name: contacts.nameFor(handle) ?? handle, isMe: false };
      this.byHandle.set(handle, person);
    }
    return person;
  }

  /** The person behind a handle row id; undefined for 0 or a dangling id. */
  byId(rowId: number): Person | undefined {
    return this.byRowId.get(rowId);
  }

  /** Someone the database does not name (a handle id that no longer exists). */
  unknown(): Person {
    return { handle: 'unknown', name: 'Unknown sender', isMe: false };
  }
}
