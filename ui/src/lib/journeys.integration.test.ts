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
import type { PathsResult, PathsSpec, RetentionResult, RetentionSpec, Shown } from './types';

function spec<T>(b: { spec: T } | { missing: string }): T {
  if ('missing' in b) throw new Error(b.missing);
  return b.spec;
}

describe.skipIf(!engineReady)('paths and retention from the screens, run by the engine', () => {
  const api = engineApi();
  const paths = (s: PathsSpec) => api.run<PathsResult & { shown: Shown }>('paths', s, ['--json']);
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
