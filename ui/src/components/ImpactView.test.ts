import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import ImpactView from './ImpactView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { dataset, fakeApi } from '../test/fakeApi';

afterEach(() => {
  cleanup();
  app.datasets = [];
});

describe('the impact screen', () => {
  it('guesses the goal, ranks the actions and says it is association', async () => {
    const api = fakeApi([dataset('shop', 1000)]);
    api.datasetValues = vi.fn(async (_d: string, col: string) =>
      col === 'event_name'
        ? [
            { value: 'page_view', count: 900 },
            { value: 'purchase', count: 40 },
          ]
        : [],
    );
    api.impact = vi.fn(async () => ({
      goal: { event: 'purchase' },
      candidates: [
        {
          event: 'use_filter',
          users_did: 400,
          goal_rate_did: 0.12,
          users_not: 3600,
          goal_rate_not: 0.06,
          lift: 1.0,
          ci_low: 0.7,
          ci_high: 1.35,
          p_value: 0.00001,
          reach: 0.1,
          value_per_action: 5.1,
        },
        {
          page: '/size-guide',
          users_did: 12,
          goal_rate_did: 0.25,
          users_not: 3988,
          goal_rate_not: 0.07,
          lift: 2.5,
          ci_low: -0.2,
          ci_high: 6,
          p_value: 0.2,
          reach: 0.003,
          value_per_action: 15.3,
        },
      ],
    }));
    setApi(api);
    app.datasets = api.datasets.slice();
    render(ImpactView);
    await fireEvent.input(screen.getByLabelText('Average order value'), { target: { value: '85' } });
    await waitFor(() => expect(screen.getAllByTestId('impact-row')).toHaveLength(2));
    expect(vi.mocked(api.impact).mock.calls.at(-1)![0]).toEqual({
      dataset: 'shop',
      goal: { event: 'purchase' },
      candidates: 'auto',
      window: '30d',
      order_value: 85,
    });
    const rows = screen.getAllByTestId('impact-row');
    expect(rows[0].textContent).toContain('use_filter');
    expect(rows[0].textContent).toContain('+100.0%');
    expect(rows[0].textContent).toContain('5.10');
    expect(rows[1].textContent).toContain('small sample');
    expect(screen.getByText(/association, not proof of cause/)).toBeTruthy();
  });

  it('shows required steps under their own heading, with no lift', async () => {
    const api = fakeApi([dataset('shop', 1000)]);
    const row = (event: string, lift: number | null, required: boolean) => ({
      event,
      users_did: 300,
      goal_rate_did: 0.2,
      users_not: 700,
      goal_rate_not: required ? 0 : 0.1,
      lift,
      ci_low: lift,
      ci_high: lift,
      p_value: 0.001,
      reach: 0.3,
      value_per_action: null,
      required,
    });
    api.impact = vi.fn(async () => ({
      goal: { event: 'purchase' },
      candidates: [row('use_filter', 1.0, false), row('add_to_cart', null, true), row('begin_checkout', null, true)],
    }));
    setApi(api);
    app.datasets = api.datasets.slice();
    render(ImpactView);
    await fireEvent.input(screen.getByLabelText('Goal'), { target: { value: 'purchase' } });
    await waitFor(() => expect(screen.getAllByTestId('impact-row')).toHaveLength(3));
    const headings = screen.getAllByTestId('impact-required-heading');
    expect(headings).toHaveLength(1);
    expect(headings[0].textContent).toContain('every user who reached “purchase” did these first');
    const rows = screen.getAllByTestId('impact-row');
    // the heading stands between the choice and the first required step
    expect(rows[0].compareDocumentPosition(headings[0]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(headings[0].compareDocumentPosition(rows[1]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(rows[0].textContent).toContain('+100.0%');
    expect(screen.getAllByTestId('impact-required').map((e) => e.textContent)).toEqual([
      'required step',
      'required step',
    ]);
    expect(rows[1].textContent).not.toContain('—');
  });
});

describe('the impact verdicts', () => {
  it('agree with the engine: a small sample is "not enough data" whatever its p; Holm-adjusted p decides', async () => {
    const api = fakeApi([dataset('rees46', 14862)]);
    // REES46, goal purchase: "view" has one non-viewer, "cart" an expected count of 3.9 (both flagged by the engine).
    const row = (event: string, p: number, small: boolean, lift: number) => ({
      event,
      users_did: small ? 3938 : 500,
      goal_rate_did: 0.04,
      users_not: small ? 1 : 3000,
      goal_rate_not: 0.03,
      lift,
      ci_low: lift - 0.1,
      ci_high: lift + 0.1,
      p_value: p,
      reach: 0.5,
      value_per_action: null,
      small_sample: small,
      note: small ? 'not enough data: an expected count is 0.0, below 5' : null,
    });
    api.impact = vi.fn(async () => ({
      goal: { event: 'purchase' },
      // the engine's ranking (expected value): kept as is
      candidates: [row('search', 0.02, false, 0.3), row('view', 1.4e-6, true, -0.96), row('wishlist', 0.03, false, 0.5)],
    }));
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
