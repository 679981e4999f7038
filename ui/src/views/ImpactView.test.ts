// The impact screen against the real engine: the rows are the engine's
// ranking of the spec the screen built, in the screen's words.
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import ImpactView from './ImpactView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { formatLift } from '../lib/format';
import { candidateName, formatMoney } from '../lib/impact';
import { engineApi, engineReady } from '../test/engineApi';
import type { ImpactResult } from '../lib/types';

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
