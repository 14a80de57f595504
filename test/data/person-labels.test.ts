import { describe, expect, it } from 'vitest';
import { countedPeople, personLabels } from '../../src/stats/person-labels.js';

describe("the labels of counted people", () => {
  it("name a namesake by a number once, not also by a device's other spelling of it", () => {
    const ann = { name: 'Ann Lee', handle: '+15555550107', sameNumbers: ['5555550107'] };
    const other = { name: 'Ann Lee', handle: '+15555550999' };
    const labels = personLabels(countedPeople([ann, other], [{ name: 'Ann Lee', handle: '5555550107', messages: 1, reactionsGiven: 0, reactionsReceived: 0 }]));
    expect(labels.get('+15555550107')).toBe('Ann Lee (+15555550107)');
    expect(labels.get('5555550107')).toBe('Ann Lee (+15555550107)');
    expect(labels.get('+15555550999')).toBe('Ann Lee (+15555550999)');
  });
});
