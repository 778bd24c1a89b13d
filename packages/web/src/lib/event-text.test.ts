import { describe, expect, it } from 'vitest';
import { eventText } from './event-text.js';

const ana = { id: 'u-ana', name: 'Ana' };
const ben = { id: 'u-ben', name: 'Ben' };
const cara = { id: 'u-cara', name: 'Cara' };
const hidden = { id: 'u-x', name: null };

describe('eventText', () => {
  it('says each group event from the reader’s side', () => {
    const as = (myId: string, event: Parameters<typeof eventText>[0]['event']) =>
      eventText({ sender: ana, event }, myId);
    expect(as('u-ben', { type: 'created', name: 'Climbing' })).toBe(
      'Ana created the group “Climbing”',
    );
    expect(as('u-ana', { type: 'created', name: 'Climbing' })).toBe(
      'You created the group “Climbing”',
    );
    expect(as('u-cara', { type: 'added', users: [ben, cara] })).toBe('Ana added Ben and you');
    expect(as('u-ben', { type: 'added', users: [ben, cara, hidden] })).toBe(
      'Ana added you, Cara and someone',
    );
    expect(as('u-ben', { type: 'added', users: [ben, cara, hidden, hidden] })).toBe(
      'Ana added you, Cara and 2 others',
    );
    expect(as('u-ben', { type: 'removed', user: ben })).toBe('Ana removed you');
    expect(as('u-ben', { type: 'renamed', name: 'Club' })).toBe('Ana renamed the group to “Club”');
    expect(as('u-ben', { type: 'joined' })).toBe('Ana joined');
    expect(as('u-ana', { type: 'left' })).toBe('You left');
  });

  it('is null for an ordinary message', () => {
    expect(eventText({ sender: ana, event: null }, 'u-ben')).toBeNull();
  });
});
