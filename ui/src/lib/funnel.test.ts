import { describe, expect, it } from 'vitest';
import {
  BUYER_STATUS,
  buildSpec,
  draftFromSpec,
  emptyDraft,
  moveItem,
  moveStep,
  newFilter,
  newStep,
  parseWindow,
  removeStep,
  validate,
  type FunnelDraft,
} from './funnel';
import type { ColumnInfo, FunnelSpec } from './types';

const COLS: ColumnInfo[] = [
  { name: 'user_id', type: 'text', role: 'user' },
  { name: 'event_name', type: 'text', role: 'event' },
  { name: 'page_path', type: 'text', role: 'page' },
  { name: 'device_category', type: 'text', role: 'dimension' },
  { name: 'value', type: 'decimal', role: 'value' },
];

function draft(): FunnelDraft {
  const d = emptyDraft('shop events');
  const a = newStep('event', 'view_item');
  a.label = 'Viewed product';
  const b = newStep('event', 'add_to_cart');
  b.where = [{ ...newFilter('device_category'), value: 'mobile' }];
  const c = newStep('page', '/checkout*');
  d.steps = [a, b, c];
  return d;
}

describe('buildSpec', () => {
  it("writes issue 4's example spec", () => {
    expect(buildSpec(draft(), COLS)).toEqual({
      dataset: 'shop events',
      steps: [
        { label: 'Viewed product', event: 'view_item' },
        { event: 'add_to_cart', where: [{ column: 'device_category', op: 'eq', value: 'mobile' }] },
        { page: '/checkout*' },
      ],
      order: 'ordered',
      window: '14d',
      count: 'users',
    });
  });

  it('adds the optional parts only when set', () => {
    const d = draft();
    d.order = 'strict';
    d.windowAmount = 30;
    d.windowUnit = 'm';
    d.count = 'sessions';
    d.where = [{ ...newFilter('value'), op: 'gte', value: '10.5' }];
    d.dateFrom = '2024-09-01';
    d.dateTo = '2024-09-30';
    d.exclude = [{ id: 1, kind: 'event', value: 'remove_from_cart', pageMode: 'exact', fromStep: 1, toStep: 2 }];
    d.breakdownColumn = 'device_category';
    d.attribution = 'step';
    d.breakdownStep = 1;
    d.breakdownLimit = 5;
    const s = buildSpec(d, COLS);
    expect(s.order).toBe('strict');
    expect(s.window).toBe('30m');
    expect(s.count).toBe('sessions');
    expect(s.where).toEqual([{ column: 'value', op: 'gte', value: 10.5 }]);
    expect(s.date_range).toEqual({ from: '2024-09-01', to: '2024-09-30' });
    expect(s.exclude).toEqual([{ event: 'remove_from_cart', from_step: 1, to_step: 2 }]);
    expect(s.breakdown).toEqual({ column: 'device_category', attribution: 'step', step: 1, limit: 5 });
    // buyer status: not a column, no attribution; it validates and reads back
    d.breakdownColumn = BUYER_STATUS;
    const b = buildSpec(d, COLS);
    expect(b.breakdown).toEqual({ column: '$buyer_status' });
    expect(validate(d, COLS).filter((i) => i.at === 'breakdown')).toEqual([]);
    expect(draftFromSpec(b).breakdownColumn).toBe(BUYER_STATUS);
  });

  it('types filter values by operator and column', () => {
    const d = draft();
    d.steps[0].where = [
      { id: 1, column: 'device_category', op: 'in', value: 'mobile, tablet ,' },
      { id: 2, column: 'value', op: 'eq', value: '42' },
      { id: 3, column: 'device_category', op: 'eq', value: '42' },
      { id: 4, column: 'page_path', op: 'is_set', value: 'ignored' },
      { id: 5, column: 'page_path', op: 'regex', value: '^/p/\\d+$' },
    ];
    d.steps[2].pageMode = 'regex';
    d.steps[2].value = '^/checkout';
    const s = buildSpec(d, COLS);
    expect(s.steps[0].where).toEqual([
      { column: 'device_category', op: 'in', value: ['mobile', 'tablet'] },
      { column: 'value', op: 'eq', value: 42 },
      { column: 'device_category', op: 'eq', value: '42' },
      { column: 'page_path', op: 'is_set' },
      { column: 'page_path', op: 'regex', value: '^/p/\\d+$' },
    ]);
    expect(s.steps[2].page).toEqual({ regex: '^/checkout' });
  });

  it('reads back what it writes', () => {
    const d = draft();
    d.windowAmount = 2;
    d.windowUnit = 'w';
    d.exclude = [{ id: 9, kind: 'page', value: '/help', pageMode: 'exact', fromStep: 0, toStep: 2 }];
    d.breakdownColumn = 'device_category';
    const spec = buildSpec(d, COLS);
    const back = draftFromSpec(JSON.parse(JSON.stringify(spec)) as FunnelSpec, 'mine');
    expect(back.name).toBe('mine');
    expect(buildSpec(back, COLS)).toEqual(spec);
  });
});

describe('optional steps and open funnels', () => {
  it('writes and reads back an optional step and an open funnel', () => {
    const d = draft();
    d.steps[1].optional = true;
    d.open = true;
    const spec = buildSpec(d, COLS);
    expect(spec.steps[1].optional).toBe(true);
    expect(spec.steps[0].optional).toBeUndefined();
    expect(spec.open).toBe(true);
    expect(buildSpec(emptyDraft('x'), COLS).open).toBeUndefined();
    const back = draftFromSpec(JSON.parse(JSON.stringify(spec)) as FunnelSpec);
    expect(back.steps[1].optional).toBe(true);
    expect(back.open).toBe(true);
    expect(buildSpec(back, COLS)).toEqual(spec);
    expect(validate(d, COLS)).toEqual([]);
  });
  it('says what cannot be optional or open', () => {
    const d = draft();
    d.steps[0].optional = true;
    d.steps[2].optional = true;
    expect(validate(d, COLS).map((i) => i.at)).toEqual(['step 1', 'step 3']);
    const u = draft();
    u.order = 'unordered';
    u.steps[1].optional = true;
    u.open = true;
    expect(validate(u, COLS).map((i) => i.at)).toEqual(['step 2', 'open']);
    const x = draft();
    x.steps[1].optional = true;
    x.exclude = [{ id: 1, kind: 'event', value: 'refund', pageMode: 'exact', fromStep: 0, toStep: 1 }];
    expect(validate(x, COLS)[0].message).toContain('step 2, which is optional');
  });
});

describe('persona filter', () => {
  it('embeds the saved persona and reads its name back', () => {
    const d = draft();
    d.segmentName = 'Filter users';
    const seg = { name: 'f', match: 'all' as const, conditions: [{ did: { event: 'use_filter' }, at_least: 1 }] };
    const spec = buildSpec(d, COLS, [{ kind: 'segment', name: 'Filter users', updated_at: '', spec: seg }]);
    expect(spec.segment).toEqual({ ...seg, name: 'Filter users' });
    expect(draftFromSpec(spec).segmentName).toBe('Filter users');
    // A persona that no longer exists is left out rather than sent half-defined.
    expect(buildSpec(d, COLS, []).segment).toBeUndefined();
  });
});

describe('trend, time to convert and metric tables', () => {
  it('adds trend and time to convert when asked', () => {
    const d = draft();
    d.trend = 'week';
    d.timeToConvert = true;
    d.ttcFrom = 1;
    d.ttcBins = 20;
    const s = buildSpec(d, COLS);
    expect(s.trend).toEqual({ interval: 'week' });
    expect(s.time_to_convert).toEqual({ from_step: 1, bins: 20 });
    const back = draftFromSpec(s);
    expect(back.trend).toBe('week');
    expect(back.ttcTo).toBe(-1);
    expect(buildSpec(back, COLS)).toEqual(s);
    d.ttcFrom = 2;
    expect(validate(d, COLS).map((i) => i.at)).toEqual(['time to convert']);
  });

  it('builds a metric-table funnel from dimension values', () => {
    const cols: ColumnInfo[] = [
      { name: 'Page path', type: 'text', role: 'page' },
      { name: 'Users', type: 'integer', role: 'metric' },
    ];
    const d = emptyDraft('ga4 pages');
    d.kind = 'metrics';
    d.dimension = 'Page path';
    d.metric = 'Users';
    d.steps = [newStep('value', '/'), newStep('value', '/checkout*')];
    const s = buildSpec(d, cols);
    expect(s).toEqual({
      dataset: 'ga4 pages',
      steps: [{ value: '/' }, { value: '/checkout*' }],
      dimension: 'Page path',
      metric: 'Users',
    });
    expect(validate(d, cols)).toEqual([]);
    const back = draftFromSpec(s);
    expect(back.kind).toBe('metrics');
    expect(buildSpec(back, cols)).toEqual(s);
    d.metric = '';
    expect(validate(d, cols)[0].message).toContain('metric column');
  });
});

describe('parseWindow', () => {
  it('accepts the spec forms and rejects the rest', () => {
    expect(parseWindow('30m')).toEqual({ amount: 30, unit: 'm' });
    expect(parseWindow('7d')).toEqual({ amount: 7, unit: 'd' });
    expect(parseWindow('2w')).toEqual({ amount: 2, unit: 'w' });
    expect(parseWindow('0d')).toBeNull();
    expect(parseWindow('1.5h')).toBeNull();
    expect(parseWindow('7 days')).toBeNull();
  });
});

describe('validate', () => {
  it('accepts a good draft', () => {
    expect(validate(draft(), COLS)).toEqual([]);
  });
  it('asks for a first step', () => {
    const d = emptyDraft('shop events');
    expect(validate(d, COLS).map((i) => i.at)).toEqual(['steps']);
  });
  it('names each problem', () => {
    const d = draft();
    d.steps[1].value = '';
    d.steps[0].where = [{ id: 1, column: 'nope', op: 'eq', value: 'x' }, { id: 2, column: 'value', op: 'gt', value: 'abc' }];
    d.windowAmount = 0;
    d.dateFrom = '2024-10-01';
    d.dateTo = '2024-09-01';
    d.exclude = [{ id: 1, kind: 'event', value: 'x', pageMode: 'exact', fromStep: 2, toStep: 1 }];
    d.breakdownColumn = 'missing';
    const issues = validate(d, COLS);
    const text = issues.map((i) => i.message).join('\n');
    expect(text).toContain('Step 2 has no event');
    expect(text).toContain('no column "nope"');
    expect(text).toContain('"abc" is not one');
    expect(text).toContain('window must be a whole number');
    expect(text).toContain('ends before it starts');
    expect(text).toContain('Exclusion 1 must lie between two steps');
    expect(text).toContain('no column "missing"');
  });
  it('catches a broken regular expression', () => {
    const d = draft();
    d.steps[2].pageMode = 'regex';
    d.steps[2].value = '/checkout(';
    expect(validate(d, COLS)[0].message).toContain('does not parse');
  });
});

describe('reordering', () => {
  it('moves items', () => {
    expect(moveItem(['a', 'b', 'c'], 0, 2)).toEqual(['b', 'c', 'a']);
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b', 'c'], 1, 9)).toEqual(['a', 'c', 'b']);
    expect(moveItem(['a', 'b'], 5, 0)).toEqual(['a', 'b']);
  });
  it('keeps exclusions and the breakdown step on the same steps', () => {
    const d = draft();
    d.exclude = [{ id: 1, kind: 'event', value: 'x', pageMode: 'exact', fromStep: 0, toStep: 1 }];
    d.attribution = 'step';
    d.breakdownStep = 2;
    const ids = d.steps.map((s) => s.id);
    const m = moveStep(d, 2, 0); // [c, a, b]
    expect(m.steps.map((s) => s.id)).toEqual([ids[2], ids[0], ids[1]]);
    expect(m.exclude[0]).toMatchObject({ fromStep: 1, toStep: 2 });
    expect(m.breakdownStep).toBe(0);
  });
  it('drops exclusions that lose a step on removal', () => {
    const d = draft();
    d.exclude = [
      { id: 1, kind: 'event', value: 'x', pageMode: 'exact', fromStep: 0, toStep: 1 },
      { id: 2, kind: 'event', value: 'y', pageMode: 'exact', fromStep: 0, toStep: 2 },
    ];
    const r = removeStep(d, 1);
    expect(r.steps).toHaveLength(2);
    expect(r.exclude).toEqual([{ id: 2, kind: 'event', value: 'y', pageMode: 'exact', fromStep: 0, toStep: 1 }]);
  });
});
