import { describe, expect, it } from 'vitest';
import { asReport, choicesFrom, kindFor, overrides, setRole } from './mapping';
import type { ColumnInfo } from './types';

const detected: ColumnInfo[] = [
  { name: 'client_id', type: 'text', role: 'user' },
  { name: 'ts', type: 'text', role: null },
  { name: 'event', type: 'text', role: 'event' },
  { name: 'amount', type: 'integer', role: 'value' },
];

describe('mapping', () => {
  it('sends nothing when nothing changed', () => {
    expect(overrides(detected, choicesFrom(detected), 'UTC', 'UTC')).toBeNull();
    expect(overrides(detected, choicesFrom(detected), '', 'UTC')).toBeNull();
  });

  it('sends the whole role map, changed types and the time zone', () => {
    let c = choicesFrom(detected);
    c = setRole(c, 'ts', 'time');
    c = c.map((x) => (x.name === 'ts' ? { ...x, type: 'timestamp' as const } : x));
    expect(overrides(detected, c, '+02:00', 'UTC')).toEqual({
      map: [
        ['user', 'client_id'],
        ['time', 'ts'],
        ['event', 'event'],
        ['value', 'amount'],
      ],
      types: [['ts', 'timestamp']],
      time_zone: '+02:00',
    });
  });

  it('keeps single roles on one column', () => {
    const c = setRole(choicesFrom(detected), 'amount', 'user');
    expect(c.filter((x) => x.role === 'user').map((x) => x.name)).toEqual(['amount']);
    const d = setRole(setRole(c, 'ts', 'dimension'), 'event', 'dimension');
    expect(d.filter((x) => x.role === 'dimension')).toHaveLength(2);
  });

  it('says what makes an event table', () => {
    const c = choicesFrom(detected);
    expect(kindFor(c).kind).toBe('metrics');
    expect(kindFor(c).hint).toContain('mark the time column');
    expect(kindFor(setRole(c, 'ts', 'time')).kind).toBe('events');
  });

  it('reads reports and bare datasets', () => {
    const ds = { name: 'x' } as never;
    expect(asReport(ds)).toEqual({ dataset: ds, report: null });
    const rep = { dataset: ds, notes: ['2 total rows left out'] } as never;
    expect(asReport(rep).report).toBe(rep);
  });
});
