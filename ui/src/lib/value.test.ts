import { describe, expect, it } from 'vitest';
import { buildValueSpec, effortProblems, emptyValueDraft, guessValueColumn, numericColumns, parseNumber, wastedFileName } from './value';
import type { ColumnInfo, FunnelSpec } from './types';

const cols: ColumnInfo[] = [
  { name: 'user_id', type: 'text', role: 'user' },
  { name: 'event_name', type: 'text', role: 'event' },
  { name: 'items', type: 'integer', role: null },
  { name: 'Revenue (EUR)', type: 'decimal', role: null },
];
const funnel: FunnelSpec = { dataset: 'shop', steps: [{ event: 'view' }, { event: 'cart' }, { event: 'purchase' }] };

describe('the order value', () => {
  it('offers the numeric columns and guesses the revenue one', () => {
    expect(numericColumns(cols)).toEqual(['items', 'Revenue (EUR)']);
    expect(guessValueColumn(cols)).toBe('Revenue (EUR)');
    expect(guessValueColumn(cols.slice(0, 3))).toBe('');
    expect(emptyValueDraft(cols.slice(0, 3)).source).toBe('per_goal');
    expect(emptyValueDraft(cols)).toMatchObject({ source: 'column', column: 'Revenue (EUR)', whatIfStep: null });
  });

  it('reads numbers as typed', () => {
    expect(parseNumber('1,250.5')).toBe(1250.5);
    expect(parseNumber(' 10 %')).toBe(10);
    expect(parseNumber('-2')).toBe(-2);
    expect(parseNumber('ten')).toBeNull();
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('1e3')).toBeNull();
  });

  it('says what is missing: no column and no typed value, a bad value, a short funnel', () => {
    const d = { ...emptyValueDraft(cols), column: '' };
    expect(buildValueSpec(funnel, d)).toEqual({
      missing: 'Choose the column that holds the order value, or type a value per goal: without one there is no money to put on a step.',
    });
    expect('missing' in buildValueSpec(funnel, { ...d, source: 'per_goal', perGoal: '' })).toBe(true);
    expect(buildValueSpec(funnel, { ...d, source: 'per_goal', perGoal: '-3' })).toEqual({
      missing: 'The value per goal must be a positive number, not -3.',
    });
    expect('missing' in buildValueSpec({ ...funnel, steps: funnel.steps.slice(0, 1) }, emptyValueDraft(cols))).toBe(true);
  });

  it('builds the engine spec: the funnel at the top level plus value and what_if as fractions', () => {
    const d = { ...emptyValueDraft(cols), whatIfStep: 2, whatIfAmount: '10' };
    expect(buildValueSpec(funnel, d)).toEqual({
      spec: { ...funnel, value: { column: 'Revenue (EUR)' }, what_if: { step: 2, relative: 0.1 } },
    });
    const p = buildValueSpec(funnel, { ...d, source: 'per_goal', perGoal: '49.90', whatIfKind: 'points', whatIfAmount: '2', whatIfStep: 3 });
    expect(p).toEqual({ spec: { ...funnel, value: { per_goal: 49.9 }, what_if: { step: 3, points: 0.02 } } });
  });

  it('refuses a what-if the engine would refuse, in words', () => {
    const d = { ...emptyValueDraft(cols), whatIfStep: 2 };
    expect('missing' in buildValueSpec(funnel, { ...d, whatIfStep: 1 })).toBe(true);
    expect('missing' in buildValueSpec(funnel, { ...d, whatIfStep: 4 })).toBe(true);
    expect(buildValueSpec(funnel, { ...d, whatIfAmount: '-100' })).toEqual({
      missing: 'A relative change of -100% is out of range: give more than -100% and at most 1000%.',
    });
    expect('missing' in buildValueSpec(funnel, { ...d, whatIfKind: 'points', whatIfAmount: '101' })).toBe(true);
    expect('missing' in buildValueSpec(funnel, { ...d, whatIfAmount: 'lots' })).toBe(true);
  });

  it('asks "as well as a saved persona" with the persona\'s spec, as the funnel carries one', () => {
    const seg = { name: 'Filter users', conditions: [{ did: { event: 'use_filter' } }] };
    const saved = [{ kind: 'segment' as const, name: 'Filter users', updated_at: '', spec: seg }];
    const d = { ...emptyValueDraft(cols), whatIfStep: 2, whatIfKind: 'like' as const };
    expect(buildValueSpec(funnel, d, saved)).toEqual({
      missing: 'Choose the persona whose conversion everyone would get at the step.',
    });
    expect(buildValueSpec(funnel, { ...d, likePersona: 'Gone' }, saved)).toEqual({
      missing: 'The persona “Gone” is no longer saved: choose another.',
    });
    expect(buildValueSpec(funnel, { ...d, likePersona: 'Filter users', whatIfAmount: 'lots' }, saved)).toEqual({
      spec: { ...funnel, value: { column: 'Revenue (EUR)' }, what_if: { step: 2, like: { segment: seg } } },
    });
  });

  it('asks "as well as users with a value of a column" as the engine\'s like column/value', () => {
    const d = { ...emptyValueDraft(cols), whatIfStep: 2, whatIfKind: 'like_value' as const };
    expect(buildValueSpec(funnel, d, [])).toEqual({
      missing: 'Choose the column whose value’s users everyone would convert like, e.g. device_category.',
    });
    expect(buildValueSpec(funnel, { ...d, likeColumn: 'device' }, [])).toEqual({
      missing: 'Choose the value of device whose users everyone would convert like.',
    });
    expect(buildValueSpec(funnel, { ...d, likeColumn: 'device', likeValue: ' desktop ' }, [])).toEqual({
      spec: { ...funnel, value: { column: 'Revenue (EUR)' }, what_if: { step: 2, like: { column: 'device', value: 'desktop' } } },
    });
  });

  it('sends the efforts typed as whole numbers 1 to 10 and says what is wrong with the others', () => {
    const d = { ...emptyValueDraft(cols), effort: { 2: ' 3 ', 3: '11', 4: '2', 1: '5' } };
    // step 4 and step 1 are not steps 2 to 3 of this funnel: dropped; 11 is out of range: said
    expect(buildValueSpec(funnel, d)).toEqual({ spec: { ...funnel, value: { column: 'Revenue (EUR)' }, effort: { '2': 3 } } });
    expect(effortProblems(d, 3)).toEqual(['The effort of step 3 must be a whole number from 1 (easiest) to 10 (hardest), not “11”.']);
    expect(effortProblems({ ...d, effort: { 2: '2.5', 3: '' } }, 3)).toHaveLength(1);
    expect(buildValueSpec(funnel, { ...d, effort: { 3: '' } })).toEqual({ spec: { ...funnel, value: { column: 'Revenue (EUR)' } } });
  });

  it('names an audience file after its bucket', () => {
    expect(wastedFileName({ step: 2, event: 'search' }, ['view', 'cart', 'buy'])).toBe('stopped after step 2 - cart - last event search.csv');
    expect(wastedFileName({ step: 1, page: '/p/1' }, ['view', 'cart'])).toBe('stopped after step 1 - view - last page p 1.csv');
    expect(wastedFileName({ step: 1 }, ['view'])).toBe('stopped after step 1 - view.csv');
  });
});
