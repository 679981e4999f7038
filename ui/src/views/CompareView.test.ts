// The comparison screen against the real engine: the groups, rates, lifts and
// verdicts it shows are the engine's answer to the spec the screen built.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import CompareView from './CompareView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { formatCount, formatLift, formatRate } from '../lib/format';
import { groups } from '../lib/compare';
import { engineApi, engineReady } from '../test/engineApi';
import { fakeApi } from '../test/fakeApi';
import type { CompareResult } from '../lib/types';

afterEach(() => {
  cleanup();
  app.funnels = [];
  app.segments = [];
});

describe.skipIf(!engineReady)('the comparison screen', () => {
  it('compares a persona with everyone else and shows the engine verdicts in words', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    const funnel = { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'add_to_cart' }, { event: 'purchase' }] };
    app.funnels = [{ kind: 'funnel', name: 'Checkout', updated_at: '', spec: funnel }];
    const filter = { name: 'Filter users', match: 'all' as const, conditions: [{ did: { event: 'use_filter' } }] };
    app.segments = [{ kind: 'segment', name: 'Filter users', updated_at: '', spec: filter }];
    render(CompareView);

    await waitFor(() => expect(screen.getAllByTestId('compare-row')).toHaveLength(2));
    const sent = vi.mocked(api.compare).mock.calls[0][0];
    expect(sent.baseline).toBe('Filter users');
    expect(sent.segments?.map((s) => ('not' in s ? s.name : s.name))).toEqual(['Filter users', 'Not Filter users']);
    const want = groups(api.run<CompareResult>('compare', sent, ['--json']));
    const rows = screen.getAllByTestId('compare-row');
    want.forEach((g, k) => {
      expect(rows[k].textContent).toContain(g.name);
      expect(rows[k].textContent).toContain(formatCount(g.users));
      expect(rows[k].textContent).toContain(formatRate(g.conversion.rate));
      expect(rows[k].textContent).toContain(g.conversion.verdict);
    });
    expect(rows[1].textContent).toContain(formatLift(want[1].conversion.lift));
    // The interval is on hover.
    const c = want[1].conversion;
    expect(rows[1].querySelectorAll('td')[3].getAttribute('title')).toBe(
      `95% interval ${formatRate(c.ci_low)} to ${formatRate(c.ci_high)}`,
    );
    expect(screen.getByTestId('chi-square').textContent).toContain('1 df');

    // Saved as the engine's compare spec: listed back, and the engine runs it to the same groups.
    app.compares = [];
    await fireEvent.input(screen.getByLabelText('Comparison name'), { target: { value: 'Filter vs rest' } });
    await fireEvent.click(screen.getByTestId('save-compare'));
    await waitFor(() => expect(app.compares.map((c) => c.name)).toEqual(['Filter vs rest']));
    expect(app.compares[0].spec).toEqual(sent);
    expect(groups(api.run<CompareResult>('compare', app.compares[0].spec, ['--json'])).map((g) => g.users)).toEqual(want.map((g) => g.users));
  });
});

describe('the comparison screen with nothing saved', () => {
  it('explains what is missing before calling the engine', async () => {
    const api = fakeApi([]);
    setApi(api);
    render(CompareView);
    expect(screen.getByTestId('compare-missing').textContent).toContain('Save a funnel first');
    expect(api.compare).not.toHaveBeenCalled();
  });
});
