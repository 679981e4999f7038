import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildSegment,
  emptySegment,
  newCondition,
  SEGMENT_COLOURS,
  segmentDraftFrom,
  seriesColour,
  seriesColours,
  SERIES_EXTRA,
  validateSegment,
  type GroupDraft,
} from './segment';
import type { ColumnInfo, SegmentSpec } from './types';

const COLS: ColumnInfo[] = [
  { name: 'user_id', type: 'text', role: 'user' },
  { name: 'event_name', type: 'text', role: 'event' },
  { name: 'device_category', type: 'text', role: 'dimension' },
];

describe('buildSegment', () => {
  it("writes the engine's SegmentSpec (docs/segments.md's example)", () => {
    const d = emptySegment('shop');
    d.name = 'Filter users';
    const did = newCondition('behaviour');
    if (did.type === 'behaviour') did.target = 'use_filter';
    const prop = newCondition('property');
    if (prop.type === 'property') Object.assign(prop, { column: 'device_category', value: 'mobile' });
    d.root.conditions = [did, prop];
    expect(buildSegment(d, COLS)).toEqual({
      name: 'Filter users',
      dataset: 'shop',
      color: '#0072B2',
      match: 'all',
      conditions: [
        { did: { event: 'use_filter' }, at_least: 1 },
        { column: 'device_category', op: 'eq', value: 'mobile', value_of: 'ever' },
      ],
    });
  });

  it('nests AND / OR / NOT groups, did-not and value conditions', () => {
    const d = emptySegment('shop');
    const any = newCondition('group') as GroupDraft;
    const a = newCondition('behaviour');
    if (a.type === 'behaviour') Object.assign(a, { did: false, kind: 'page', target: '/help*' });
    const v = newCondition('value');
    if (v.type === 'value') Object.assign(v, { metric: 'revenue', op: 'gt', value: '100' });
    any.conditions = [a, v];
    any.negate = true;
    d.root.conditions = [any];
    expect(buildSegment(d, COLS).conditions).toEqual([
      { not: { match: 'any', conditions: [{ did_not: { page: '/help*' } }, { measure: 'revenue', op: 'gt', value: 100 }] } },
    ]);
  });

  it('reads back what it writes', () => {
    const spec: SegmentSpec = {
      name: 'Big mobile spenders',
      dataset: 'shop',
      color: '#E69F00',
      description: 'Bought a lot on a phone',
      match: 'any',
      conditions: [
        { did: { event: 'purchase' }, at_least: 2, at_most: 9, within_days: 30 },
        { column: 'device_category', op: 'in', value: ['mobile', 'tablet'], value_of: 'first' },
        { not: { match: 'all', conditions: [{ did_not: { event: 'refund' } }] } },
        { measure: 'first_seen', op: 'lte', value: '2024-09-15' },
        { measure: 'sessions', op: 'gte', value: 3 },
      ],
    };
    expect(buildSegment(segmentDraftFrom(spec), COLS)).toEqual(spec);
  });
});

describe('validateSegment', () => {
  it('explains what is missing', () => {
    const d = emptySegment('');
    expect(validateSegment(d, COLS)).toHaveLength(2);
    d.dataset = 'shop';
    const b = newCondition('behaviour');
    if (b.type === 'behaviour') Object.assign(b, { target: 'x', atLeast: 5, atMost: 2 });
    const g = newCondition('group');
    const p = newCondition('property');
    if (p.type === 'property') p.column = 'nope';
    d.root.conditions = [b, g, p];
    const text = validateSegment(d, COLS).join('\n');
    expect(text).toContain('"at least" 5 is more than "at most" 2');
    expect(text).toContain('The group 2 is empty');
    expect(text).toContain('no column "nope"');
    expect(text).toContain('Condition 3 needs a value');
  });
});

describe('seriesColours (as the engine assigns them)', () => {
  it('keeps a persona colour and gives the others the unused ones', () => {
    expect(seriesColours(['#e69f00', '#0072B2', undefined])).toEqual(['#E69F00', '#0072B2', '#009E73']);
    expect(seriesColours([undefined, undefined])).toEqual(['#0072B2', '#E69F00']);
    expect(seriesColours(['#123456', 'red'])).toEqual(['#0072B2', '#E69F00']);
    const many = seriesColours(Array(10).fill(undefined));
    expect(many.slice(0, 8)).toEqual(SEGMENT_COLOURS);
  });

  it('a breakdown of 11 (or 20) series gives each its own colour', () => {
    for (const n of [11, 20]) {
      const c = seriesColours(Array(n).fill(undefined));
      expect(new Set(c).size).toBe(n);
      expect(c.slice(0, 8)).toEqual(SEGMENT_COLOURS);
    }
    const asked: (string | undefined)[] = Array(11).fill(undefined);
    asked[3] = '#0072B2';
    expect(new Set(seriesColours(asked)).size).toBe(11);
    expect(seriesColour(20)).toBe(seriesColour(0));
  });

  it('uses the same colours, in the same order, as the engine (chart/theme.rs)', () => {
    const rs = readFileSync(resolve(process.cwd(), '../crates/engine/src/chart/theme.rs'), 'utf8');
    const list = (name: string) => {
      const m = new RegExp(`pub const ${name}: \\[&str; \\d+\\] = \\[([^\\]]*)\\]`).exec(rs);
      return [...(m?.[1] ?? '').matchAll(/"(#[0-9A-Fa-f]{6})"/g)].map((x) => x[1]);
    };
    expect(list('OKABE_ITO')).toEqual(SEGMENT_COLOURS);
    expect(list('EXTRA')).toEqual(SERIES_EXTRA);
  });
});
