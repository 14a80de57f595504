import { OWNER_HANDLE, type Person } from '../model/types.js';
import type { HandleRow } from '../read/rows.js';
import { inE164 } from '../model/people.js';

/** What the normalizer needs from an address book (src/contacts ContactBook is one; an empty one knows no names). */
export interface Contacts {
  /** A display name for a phone number or email; undefined when unknown. */
  nameFor(handle: string): string | undefined;
  /** The same key for every handle of one person (phone and email), whatever their formatting. */
  personKey(handle: string): string;
  /** One spelling per handle: E.164 for phone numbers, lower case for emails. */
  normalize(handle: string): string;
}

/** Turns handle row ids into People, once each. */
export class PeopleDirectory {
  readonly me: Person;
  private readonly byRowId = new Map<number, Person>();
  private readonly byHandle = new Map<string, Person>();
  /** The handles' people by person key (see Contacts.personKey), made when an address is first looked up. */
  private byKey?: Map<string, Person>;

  constructor(handles: HandleRow[], private readonly contacts: Contacts, meName: string) {
    this.me = { handle: OWNER_HANDLE, name: meName, isMe: true };
    for (const row of handles) this.byRowId.set(row.rowId, this.forHandle(row.id, contacts));
  }

  /**
   * The person with a handle of the database that a phone number or email written in a message's data names
   * (who added a poll's option), in any formatting; undefined when no handle is that person's.
   */
  byAddress(address: string): Person | undefined {
    if (!this.byKey) {
      this.byKey = new Map();
      for (const person of this.byHandle.values()) if (!this.byKey.has(this.keyOf(person.handle))) this.byKey.set(this.keyOf(person.handle), person);
    }
    return this.byKey.get(this.keyOf(address));
  }

  /** Someone known by an address alone (no handle of the database is theirs): named as the contacts name them. */
  stranger(address: string): Person {
    return { handle: address, name: this.contacts.nameFor(address) ?? address, isMe: false };
  }

  /**
   * The owner's own handle a message names: its destination_caller_id, else its account without the kind
   * (`P:+15555550199`, `E:owner@example.com`), spelled as Contacts.normalize spells it; undefined when neither says.
   */
  ownerHandle(callerId: string | null, account: string | null): string | undefined {
    const spelled = callerId?.trim() || account?.replace(/^[a-z]:/i, '').trim();
    return spelled ? this.contacts.normalize(spelled) : undefined;
  }

  /** The same key for every address of one person (see Contacts.personKey). */
  keyOf(address: string): string {
    return this.contacts.personKey(address);
  }

  private forHandle(handle: string, contacts: Contacts): Person {
    let person = this.byHandle.get(handle);
    if (!person) {
      // One no contact names goes by their number as participants show it (see `numbersOnce`).
      person = { handle, name: contacts.nameFor(handle) ?? inE164(handle, (h) => contacts.normalize(h)), isMe: false };
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
