import { describe, expect, it } from 'vitest';
import { buildCompare, emptyCompare, groupNames } from './compare';
import type { SavedItem, SegmentSpec } from './types';

const funnels: SavedItem<'funnel'>[] = [
  { kind: 'funnel', name: 'Checkout', updated_at: '', spec: { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'purchase' }] } },
];
const filter: SegmentSpec = { name: 'filter', match: 'all', conditions: [{ did: { event: 'use_filter' }, at_least: 1 }] };
const mobile: SegmentSpec = { name: 'mobile', match: 'all', conditions: [{ column: 'device', op: 'eq', value: 'mobile', value_of: 'ever' }] };
const segments: SavedItem<'segment'>[] = [
  { kind: 'segment', name: 'Filter users', updated_at: '', spec: filter },
  { kind: 'segment', name: 'Mobile', updated_at: '', spec: mobile },
];

describe('buildCompare', () => {
  it('says what is missing', () => {
    const d = emptyCompare();
    expect(buildCompare(d, funnels, segments)).toEqual({ missing: 'Choose a saved funnel to compare on.' });
    d.funnel = 'Checkout';
    d.personas = ['Filter users'];
    expect('missing' in buildCompare(d, funnels, segments)).toBe(true);
  });

  it('compares a persona with everyone else (issue 5 complement)', () => {
    const d = { ...emptyCompare(), funnel: 'Checkout', personas: ['Filter users'], everyoneElse: true };
    expect(groupNames(d)).toEqual(['Filter users', 'Not Filter users']);
    const r = buildCompare(d, funnels, segments);
    expect(r).toEqual({
      spec: {
        funnel: funnels[0].spec,
        segments: [
          { ...filter, name: 'Filter users' },
          { not: { ...filter, name: 'Filter users' }, name: 'Not Filter users' },
        ],
        baseline: 'Filter users',
      },
    });
  });

  it('keeps a chosen baseline, and splits by a column', () => {
    const d = { ...emptyCompare(), funnel: 'Checkout', personas: ['Filter users', 'Mobile'], baseline: 'Mobile' };
    const r = buildCompare(d, funnels, segments);
    expect('spec' in r && r.spec.baseline).toBe('Mobile');
    const byCol = buildCompare({ ...emptyCompare(), funnel: 'Checkout', mode: 'column', column: 'variant' }, funnels, segments);
    expect(byCol).toEqual({ spec: { funnel: funnels[0].spec, by: 'variant' } });
  });
});
