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
