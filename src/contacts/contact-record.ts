/** One person from any contacts source, before handles are normalized. */
export interface ContactRecord {
  firstName?: string;
  lastName?: string;
  nickname?: string;
  organization?: string;
  /** A ready-made full name (vCard FN), preferred when present. */
  fullName?: string;
  phones: string[];
  emails: string[];
}

type Cell = string | null | undefined;

/** A person as a contacts database's row names them (first, last, nickname, organization), with no handles yet. */
export function namedRecord(firstName: Cell, lastName: Cell, nickname: Cell, organization: Cell): ContactRecord {
  return {
    firstName: firstName ?? undefined,
    lastName: lastName ?? undefined,
    nickname: nickname ?? undefined,
    organization: organization ?? undefined,
    phones: [],
    emails: [],
  };
}

const clean = (value: string | null | undefined) => value?.trim() || undefined;

/** "First Last", else the nickname, else the organization; undefined for a nameless card. */
export function displayName(record: ContactRecord): string | undefined {
  const personal = [clean(record.firstName), clean(record.lastName)].filter(Boolean).join(' ');
  return clean(record.fullName) ?? (clean(personal) || clean(record.nickname) || clean(record.organization));
}
