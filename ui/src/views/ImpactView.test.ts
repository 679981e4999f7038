// The impact screen against the real engine: the rows are the engine's
// ranking of the spec the screen built, in the screen's words.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import ImpactView from './ImpactView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { formatLift } from '../lib/format';
import { candidateName, formatMoney } from '../lib/impact';
import { engineApi, engineReady } from '../test/engineApi';
import { dataset, fakeApi } from '../test/fakeApi';
import type { ImpactResult, ImpactRow } from '../lib/types';

afterEach(() => {
  cleanup();
  app.datasets = [];
});

describe.skipIf(!engineReady)('the impact screen', () => {
  it('guesses the goal, shows the engine ranking and says it is association', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    render(ImpactView);
    await fireEvent.input(screen.getByLabelText('Average order value'), { target: { value: '85' } });
    const spec = { dataset: 'shop', goal: { event: 'purchase' }, candidates: 'auto', window: '30d', order_value: 85 };
    const want = api.run<ImpactResult>('impact', spec, ['--json']);
    expect(want.candidates.length).toBeGreaterThan(3);
    await waitFor(() => expect(screen.getAllByTestId('impact-row')).toHaveLength(want.candidates.length));
    const rows = screen.getAllByTestId('impact-row');
    want.candidates.slice(0, 5).forEach((c, k) => {
      expect(rows[k].textContent).toContain(candidateName(c));
      if (!c.required) expect(rows[k].textContent).toContain(formatLift(c.lift));
      expect(rows[k].textContent).toContain(formatMoney(c.value_per_action));
      expect(rows[k].textContent?.includes('small sample')).toBe(c.small_sample || c.users_did < 30 || c.users_not < 30);
    });
    expect(screen.getByText(/association, not proof of cause/)).toBeTruthy();

    // Saved as the engine's impact spec: listed back, and the engine runs it to the same ranking.
    app.impacts = [];
    await fireEvent.input(screen.getByLabelText('Impact analysis name'), { target: { value: 'Before buying' } });
    await fireEvent.click(screen.getByTestId('save-impact'));
    await waitFor(() => expect(app.impacts.map((i) => i.name)).toEqual(['Before buying']));
    expect(app.impacts[0].kind).toBe('impact');
    const again = api.run<ImpactResult>('impact', app.impacts[0].spec, ['--json']);
    expect(again.candidates.map((c) => c.label)).toEqual(want.candidates.map((c) => c.label));
  });

  it('shows the steps every buyer took first under their own heading, with no lift', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    render(ImpactView);
    await fireEvent.input(screen.getByLabelText('Goal'), { target: { value: 'purchase' } });
    await fireEvent.input(screen.getByPlaceholderText('all events and pages before the goal'), {
      target: { value: 'use_filter, add_to_cart, begin_checkout' },
    });
    await waitFor(() => expect(screen.getAllByTestId('impact-row')).toHaveLength(3));
    const spec = {
      dataset: 'shop',
      goal: { event: 'purchase' },
      candidates: [{ event: 'use_filter' }, { event: 'add_to_cart' }, { event: 'begin_checkout' }],
      window: '30d',
    };
    const want = api.run<ImpactResult>('impact', spec, ['--json']);
    const required = want.candidates.filter((c) => c.required).map(candidateName);
    expect(required.length).toBeGreaterThan(0);
    const headings = screen.getAllByTestId('impact-required-heading');
    expect(headings).toHaveLength(1);
    expect(headings[0].textContent).toContain('every user who reached “purchase” did these first');
    const rows = screen.getAllByTestId('impact-row');
    const first = want.candidates.findIndex((c) => c.required);
    // the heading stands just before the first required step
    expect(headings[0].compareDocumentPosition(rows[first]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    if (first > 0) expect(rows[first - 1].compareDocumentPosition(headings[0]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(screen.getAllByTestId('impact-required')).toHaveLength(required.length);
  });
});

// A hand-made result in the engine's shape (REES46's small samples): the verdicts follow the engine's rule.
describe('the impact verdicts', () => {
  it('agree with the engine: a small sample is "not enough data" whatever its p; Holm-adjusted p decides', async () => {
    const api = fakeApi([dataset('rees46', 14862)]);
    // REES46, goal purchase: "view" has one non-viewer, "cart" an expected count of 3.9 (both flagged by the engine).
    const row = (event: string, p: number, small: boolean, lift: number): ImpactRow => ({
      label: event,
      event,
      users_did: small ? 3938 : 500,
      goals_did: small ? 158 : 20,
      goal_rate_did: 0.04,
      users_not: small ? 1 : 3000,
      goals_not: small ? 0 : 90,
      goal_rate_not: 0.03,
      diff: 0.01,
      diff_ci_low: 0,
      diff_ci_high: 0.02,
      lift,
      ci_low: lift - 0.1,
      ci_high: lift + 0.1,
      p_value: p,
      reach: 0.5,
      value_per_action: null,
      extra_goals: null,
      expected_value: null,
      required: false,
      small_sample: small,
      note: small ? 'not enough data: an expected count is 0.0, below 5' : null,
    });
    const result: ImpactResult = {
      goal: { event: 'purchase' },
      window: '30d',
      users: 14862,
      goal_users: 600,
      goal_rate: 0.04,
      order_value: null,
      order_value_source: 'none',
      // the engine's ranking (expected value): kept as is
      candidates: [row('search', 0.02, false, 0.3), row('view', 1.4e-6, true, -0.96), row('wishlist', 0.03, false, 0.5)],
      note: '',
      warnings: [],
    };
    api.impact = vi.fn(async () => result);
    setApi(api);
    app.datasets = api.datasets.slice();
    render(ImpactView);
    await fireEvent.input(screen.getByLabelText('Goal'), { target: { value: 'purchase' } });
    await waitFor(() => expect(screen.getAllByTestId('impact-row')).toHaveLength(3));
    const rows = screen.getAllByTestId('impact-row');
    expect(rows.map((r) => (r as HTMLTableRowElement).cells[1].textContent)).toEqual([
      expect.stringContaining('search'),
      expect.stringContaining('view'),
      expect.stringContaining('wishlist'),
    ]);
    // Holm over 3 tests: view 4.2e-6, search 0.02 x 2 = 0.04, wishlist max(0.04, 0.03) = 0.04
    expect(rows.map((r) => r.getAttribute('data-verdict'))).toEqual(['significant', 'not_enough_data', 'significant']);
    expect(screen.getAllByTestId('impact-verdict').map((v) => v.textContent)).toEqual([
      'significant',
      'not enough data',
      'significant',
    ]);
    expect(rows[0].textContent).toContain('0.04');
    expect(screen.getByTestId('impact-holm').textContent).toContain('Holm-adjusted p-values');
  });
});
