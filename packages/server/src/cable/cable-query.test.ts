import { describe, expect, it } from 'vitest';
import { cableQuery } from './cable-server.js';

describe('cableQuery', () => {
  it('reads the query of /cable as clients send it', () => {
    expect(cableQuery('/cable')?.toString()).toBe('');
    expect(Object.fromEntries(cableQuery('/cable?ticket=t.1&sid=s%2F2') ?? [])).toEqual({
      ticket: 't.1',
      sid: 's/2',
    });
    expect(cableQuery('/cable?')?.toString()).toBe('');
  });

  it('leaves other forms of the path to URL, which normalises them', () => {
    expect(cableQuery('/a/../cable?ticket=x')?.get('ticket')).toBe('x');
    expect(cableQuery('http://example.com/cable?ticket=y')?.get('ticket')).toBe('y');
  });

  it('answers undefined for any other path', () => {
    for (const target of [undefined, '/', '/cables', '/cable/', '/cable/x', '/api/cable', '/CABLE'])
      expect(cableQuery(target)).toBeUndefined();
  });
});
