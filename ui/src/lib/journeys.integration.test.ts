// Paths and retention specs built by the screens' own builders (paths.ts,
// retention.ts), parsed and run by the real engine (the `stepwise` CLI on a
// generated workspace): every option the screens offer is accepted, the
// numbers are the engine's, and what the builders refuse they say in words.
//
// Needs STEPWISE_CLI (the built `stepwise` binary; `make test` sets it).
import { describe, expect, it } from 'vitest';
import { engineApi, engineReady } from '../test/engineApi';
import { buildSpec, emptyDraft, newStep } from './funnel';
import { buildPaths, dropoffPaths, emptyPaths, type PathsDraft } from './paths';
import { buildRetention, emptyRetention, type RetentionDraft } from './retention';
import type { PathsShown, PathsSpec, RetentionResult, RetentionSpec, Shown } from './types';

function spec<T>(b: { spec: T } | { missing: string }): T {
  if ('missing' in b) throw new Error(b.missing);
  return b.spec;
}

describe.skipIf(!engineReady)('paths and retention from the screens, run by the engine', () => {
  const api = engineApi();
  const paths = (s: PathsSpec) => api.run<PathsShown & { shown: Shown }>('paths', s, ['--json']);
  const retention = (s: RetentionSpec) => api.run<RetentionResult & { shown: Shown }>('retention', s, ['--json']);

  it('runs every start, direction, level count and grouping the Paths screen offers', () => {
    const funnelDraft = emptyDraft('shop');
    funnelDraft.steps = ['page_view', 'view_item', 'add_to_cart', 'purchase'].map((e) => newStep('event', e));
    const funnel = buildSpec(funnelDraft, api.dataset.columns);
    const drafts: PathsDraft[] = [
      { ...emptyPaths('shop'), target: 'view_item' },
      { ...emptyPaths('shop'), target: 'add_to_cart', direction: 'previous', levels: 2, top: 3 },
      { ...emptyPaths('shop'), start: 'page', target: '/product/*', by: 'page', levels: 5 },
      dropoffPaths(funnel, 3),
      { ...dropoffPaths(funnel, 1), start: 'step', levels: 1 },
    ];
    for (const d of drafts) {
      const s = spec(buildPaths(d));
      const r = paths(s);
      expect(r.units, JSON.stringify(s)).toBeGreaterThan(0);
      expect(r.levels).toBe(d.levels);
      // the node table the screen shows: a row per node, counts as the engine formats them
      expect(r.shown.table.rows.length).toBe(r.nodes.length);
      r.nodes.forEach((n, i) => {
        expect(r.shown.table.rows[i][1].text).toBe(n.name);
        expect(r.shown.table.rows[i][2].value).toBe(n.count);
      });
    }
    // "Where did they go?" after step 3: the units are the funnel's drop-offs there
    const f = api.run<{ steps: { count: number }[] }>('funnel', funnel, ['--json']);
    const r = paths(spec(buildPaths(dropoffPaths(funnel, 3))));
    expect(r.units).toBe(f.steps[2].count - f.steps[3].count);
    expect(r.nodes[0].name).toContain('(dropped)');
  });

  it('runs "between a step and the next" and "converters vs drop-offs" as the Paths screen builds them', () => {
    const funnelDraft = emptyDraft('shop');
    funnelDraft.steps = ['page_view', 'view_item', 'add_to_cart', 'purchase'].map((e) => newStep('event', e));
    const funnel = buildSpec(funnelDraft, api.dataset.columns);
    const f = api.run<{ steps: { count: number }[] }>('funnel', funnel, ['--json']);

    // between view_item (step 2) and add_to_cart (step 3); "before" is not sent between two steps
    const between = spec(buildPaths({ ...dropoffPaths(funnel, 2), start: 'between', direction: 'previous' }));
    expect(between.from).toEqual({ funnel, between: 2 });
    expect(between.direction).toBeUndefined();
    const b = paths(between);
    expect(b.between?.units).toBe(f.steps[2].count);
    expect(b.units).toBe(f.steps[2].count);
    expect(b.shown_comparison).toBeUndefined();
    const bt = b.shown_between!.table;
    expect(bt.rows.length).toBe(b.between!.sequences.length);
    b.between!.sequences.forEach((q, i) => {
      expect(bt.rows[i][0].text).toBe(q.name);
      expect(bt.rows[i][1].value).toBe(q.count);
      expect(bt.rows[i][2].value).toBeCloseTo(q.count / b.between!.units, 12);
    });
    expect(b.between!.sequences.reduce((a, q) => a + q.count, 0)).toBe(b.between!.units);
    expect(b.shown_between!.notes.join(' ')).toMatch(/Events between \(any event\): median .*, 75th percentile .*, 90th percentile/);
    expect(b.between!.seconds.median).toBeGreaterThan(0);

    // converters (reached purchase) against drop-offs, from view_item
    const compare = spec(buildPaths({ ...dropoffPaths(funnel, 2), start: 'step', compare: true, levels: 1 }));
    expect(compare.compare).toBe('converters');
    const c = paths(compare);
    const cmp = c.comparison!;
    expect(cmp.converters).toBe(f.steps[3].count);
    expect(cmp.converters + cmp.dropoffs).toBe(c.units);
    const ct = c.shown_comparison!.table;
    expect(ct.rows.length).toBe(cmp.rows.length);
    expect(cmp.rows.length).toBe(c.nodes.filter((n) => n.level === 1).length);
    cmp.rows.forEach((row, i) => {
      expect(ct.rows[i][0].text).toBe(row.name);
      expect(ct.rows[i][1].value ?? null).toBe(row.converters_share);
      expect(ct.rows[i][2].value ?? null).toBe(row.dropoffs_share);
      expect(ct.rows[i][4].value ?? null).toBe(row.p_adjusted);
      expect(ct.rows[i][5].text).toBe(row.p_adjusted == null ? '\u2013' : row.significant ? 'yes' : 'no');
      expect(row.converters + row.dropoffs).toBe(c.nodes[row.node].count);
    });
    expect(cmp.rows.some((r) => r.significant)).toBe(true);
    // the checkbox only counts from a step
    expect(spec(buildPaths({ ...dropoffPaths(funnel, 2), compare: true })).compare).toBeUndefined();
    // at the last step everyone converted: the builder says so
    expect(buildPaths({ ...dropoffPaths(funnel, 4), start: 'step', compare: true })).toEqual({
      missing: 'Choose a step from 1 to 3: at the last step everyone converted.',
    });
    expect(buildPaths({ ...dropoffPaths(funnel, 4), start: 'between' })).toEqual({ missing: 'Choose a step from 1 to 3.' });
  });

  it('says what is missing instead of sending a spec the engine would refuse', () => {
    expect(buildPaths({ ...emptyPaths('shop') })).toEqual({ missing: expect.stringContaining('event to start from') });
    expect(buildPaths({ ...emptyPaths('shop'), target: 'x', levels: 11 })).toEqual({ missing: expect.stringContaining('1 to 10') });
    const funnelDraft = emptyDraft('shop');
    funnelDraft.steps = ['view_item', 'purchase'].map((e) => newStep('event', e));
    const funnel = buildSpec(funnelDraft, api.dataset.columns);
    expect(buildPaths(dropoffPaths(funnel, 2))).toEqual({ missing: 'Choose a step from 1 to 1.' });
    expect(buildRetention({ ...emptyRetention('shop'), cohort: 'event' })).toEqual({ missing: expect.stringContaining('cohort') });
    expect(buildRetention({ ...emptyRetention('shop'), periods: 0 })).toEqual({ missing: expect.stringContaining('1 to 120') });
  });

  it('runs every cohort, return and interval the Retention screen offers', () => {
    const drafts: RetentionDraft[] = [
      emptyRetention('shop'),
      { ...emptyRetention('shop'), interval: 'day', periods: 14 },
      { ...emptyRetention('shop'), interval: 'month', returns: 'event', returnEvent: 'purchase', goal: 'purchase' },
      { ...emptyRetention('shop'), cohort: 'event', cohortEvent: 'purchase', returns: 'event', returnEvent: 'purchase' },
    ];
    for (const d of drafts) {
      const s = spec(buildRetention(d));
      const r = retention(s);
      expect(r.cohorts.length, JSON.stringify(s)).toBeGreaterThan(0);
      expect(r.periods).toBe(d.periods);
      // the cohort table the screen shows: a row per cohort with its size
      r.cohorts.forEach((c, i) => {
        expect(r.shown.table.rows[i][0].text).toBe(c.period);
        expect(r.shown.table.rows[i][1].value).toBe(c.size);
      });
      expect(r.cohorts.reduce((a, c) => a + c.size, 0)).toBe(r.users);
      if (d.goal) expect(r.repeat?.goal).toBe(d.goal);
    }
  });
});
