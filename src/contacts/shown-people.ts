import type { ContactBook } from './contact-book.js';
import { UnionFind } from './union-find.js';

/** A person as an archive last showed them: their handles (a phone and an email shown as one), and their name. */
export interface ShownPerson {
  handles: string[];
  name: string;
}

/**
 * A run's contacts over what an archive last showed of its people, so that a run without them (`--contacts`
 * forgotten, an older .vcf) shows the archive's people as it did: a person's handles the archive showed as one
 * stay one (and their chats one conversation), and keep the name it showed. What the contacts say wins: a name
 * they give to any handle of the person, and two names they give to two of its handles, which part them.
 */
export class ShownContacts {
  /** The contacts' people (by their keys) the archive showed as one. */
  private readonly people = new UnionFind();
  /** Each person's name, by `personKey`: one the contacts give, else the one the archive showed. */
  private readonly names = new Map<string, string>();

  constructor(
    private readonly book: ContactBook,
    shown: ShownPerson[],
  ) {
    for (const { handles } of shown) {
      const keys = handles.map((handle) => book.personKey(handle));
      if (!this.parted(handles)) for (const key of keys) this.people.union(keys[0]!, key);
    }
    for (const { handles } of shown) for (const handle of handles) this.nameOnce(handle, book.nameFor(handle));
    for (const { handles, name } of shown) for (const handle of handles) this.nameOnce(handle, handles.includes(name) ? undefined : name);
  }

  nameFor(handle: string): string | undefined {
    return this.book.nameFor(handle) ?? this.names.get(this.personKey(handle));
  }

  personKey(handle: string): string {
    return this.people.root(this.book.personKey(handle));
  }

  normalize(handle: string): string {
    return this.book.normalize(handle);
  }

  /** Whether the contacts give these handles of one person to people of different names. */
  private parted(handles: string[]): boolean {
    const names = handles.flatMap((handle) => this.book.nameFor(handle)?.toLocaleLowerCase() ?? []);
    return new Set(names).size > 1;
  }

  private nameOnce(handle: string, name: string | undefined): void {
    const key = this.personKey(handle);
    if (name !== undefined && !this.names.has(key)) this.names.set(key, name);
  }
}
