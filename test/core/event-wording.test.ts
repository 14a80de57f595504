import { describe, expect, it } from 'vitest';
import type { Person } from '../../src/model/types.js';
import { groupEvent } from '../../src/normalize/events.js';
import type { MessageRow } from '../../src/read/rows.js';

const row = (itemType: number, groupActionType = 0, groupTitle: string | null = null) => ({ itemType, groupActionType, groupTitle }) as MessageRow;
const owner = (name: string): Person => ({ handle: 'me', name, isMe: true });
const BOB: Person = { handle: '+15555550123', name: 'Bob', isMe: false };

describe('the owner in event sentences', () => {
  it('is "you" under the default name', () => {
    const me = owner('Me');
    expect(groupEvent(row(2, 0, 'Trip'), me, undefined).description).toBe('You named the conversation “Trip”.');
    expect(groupEvent(row(2), me, undefined).description).toBe('You removed the conversation name.');
    expect(groupEvent(row(1, 0), me, BOB).description).toBe('You added Bob to the conversation.');
    expect(groupEvent(row(1, 0), BOB, me).description).toBe('Bob added you to the conversation.');
    expect(groupEvent(row(1, 1), BOB, me).description).toBe('Bob removed you from the conversation.');
    expect(groupEvent(row(3, 1), me, undefined).description).toBe('You changed the group photo.');
    expect(groupEvent(row(3, 0), me, undefined).description).toBe('You left the conversation.');
    expect(groupEvent(row(4), me, undefined).description).toBe('You started sharing your location.');
    expect(groupEvent({ ...row(4), shareStatus: 1 }, me, BOB).description).toBe('You stopped sharing your location with Bob.');
    expect(groupEvent(row(6), me, undefined).description).toBe('You started a FaceTime call.');
    expect(groupEvent(row(99), me, undefined).description).toBe('System message of type 99 from you.');
  });

  it('is the --me name otherwise, and other people are named as before', () => {
    const sam = owner('Sam');
    expect(groupEvent(row(2, 0, 'Trip'), sam, undefined).description).toBe('Sam named the conversation “Trip”.');
    expect(groupEvent(row(1, 0), BOB, sam).description).toBe('Bob added Sam to the conversation.');
    expect(groupEvent(row(4), sam, undefined).description).toBe('Sam started sharing their location.');
    expect(groupEvent(row(4), BOB, undefined).description).toBe('Bob started sharing their location.');
    expect(groupEvent({ ...row(4), shareStatus: 1 }, BOB, undefined).description).toBe('Bob stopped sharing their location.');
    expect(groupEvent(row(6), BOB, undefined).description).toBe('FaceTime call with Bob.');
    // A contact who happens to be called "Me" is not the owner.
    expect(groupEvent(row(3, 0), { ...BOB, name: 'Me' }, undefined).description).toBe('Me left the conversation.');
  });
});
