import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/svelte';
import CompareView from './CompareView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { dataset, fakeApi } from '../test/fakeApi';
import type { CompareResult, ConversionStats } from '../lib/types';

const none: ConversionStats = {
  rate: null,
  ci_low: null,
  ci_high: null,
  diff: null,
  diff_ci_low: null,
  diff_ci_high: null,
  lift: null,
  lift_ci_low: null,
  lift_ci_high: null,
  z: null,
  p_value: null,
  p_adjusted: null,
  verdict: 'baseline',
  verdict_kind: 'baseline',
  note: null,
};

afterEach(() => {
  cleanup();
  app.funnels = [];
  app.segments = [];
});

describe('the comparison screen', () => {
  it('asks for a persona and everyone else, and shows the verdicts in words', async () => {
    const api = fakeApi([dataset('shop', 100)]);
    const answer: CompareResult = {
      baseline: 'Filter users',
      confidence: 0.95,
      groups: [
        { name: 'Filter users', users: 2000, conversions: 240, conversion: { ...none, rate: 0.12, ci_low: 0.106, ci_high: 0.135 } },
        {
          name: 'Not Filter users',
          users: 8000,
          conversions: 480,
          conversion: {
            ...none,
            rate: 0.06,
            ci_low: 0.055,
            ci_high: 0.065,
            diff: -0.06,
            diff_ci_low: -0.075,
            diff_ci_high: -0.045,
            lift: -0.5,
            p_value: 0.00001,
            p_adjusted: 0.00001,
            verdict: 'significant at 95%',
            verdict_kind: 'significant',
          },
        },
      ],
      chi_square: { statistic: 70.1, df: 1, p_value: 0.00001, verdict: 'significant at 95%', verdict_kind: 'significant' },
    };
    api.compare = vi.fn(async () => answer);
    setApi(api);
    app.datasets = api.datasets.slice();
    app.funnels = [{ kind: 'funnel', name: 'Checkout', spec: { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'purchase' }] } }];
    app.segments = [{ kind: 'segment', name: 'Filter users', spec: { match: 'all', conditions: [{ did: { event: 'use_filter' } }] } }];
    render(CompareView);

    await waitFor(() => expect(screen.getAllByTestId('compare-row')).toHaveLength(2));
    const sent = vi.mocked(api.compare).mock.calls[0][0];
    expect(sent.baseline).toBe('Filter users');
    expect(sent.segments?.map((s) => s.name)).toEqual(['Filter users', 'Not Filter users']);
    const rows = screen.getAllByTestId('compare-row');
    expect(rows[0].textContent).toContain('12.0%');
    expect(rows[0].textContent).toContain('baseline');
    expect(rows[1].textContent).toContain('8,000');
    expect(rows[1].textContent).toContain('-6.0 pp');
    expect(rows[1].textContent).toContain('-50.0%');
    expect(rows[1].textContent).toContain('< 0.001');
    expect(rows[1].textContent).not.toContain('= ');
    expect(rows[1].textContent).toContain('significant at 95%');
    // The interval is on hover.
    const rate = rows[1].querySelectorAll('td')[3];
    expect(rate.getAttribute('title')).toBe('95% interval 5.5% to 6.5%');
    expect(screen.getByTestId('chi-square').textContent).toContain('1 df');
  });

  it('explains what is missing before calling the engine', async () => {
    const api = fakeApi([]);
    setApi(api);
    render(CompareView);
    expect(screen.getByTestId('compare-missing').textContent).toContain('Save a funnel first');
    expect(api.compare).not.toHaveBeenCalled();
  });
});
