// The persona builder against the real engine: what the screen counts is what
// `stepwise segment` counts for the same persona written by hand in the
// engine's own words (docs/segments.md).
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import PersonaBuilder from './PersonaBuilder.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { formatCount } from '../lib/format';
import { engineApi, engineReady } from '../test/engineApi';
import type { SegmentResult } from '../lib/types';

afterEach(() => {
  cleanup();
  app.datasets = [];
  app.segments = [];
});

describe.skipIf(!engineReady)('the persona builder', () => {
  it('counts what the engine counts, live from the conditions (behaviour within days, nested OR, NOT), and saves the segment', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    app.segments = [];
    render(PersonaBuilder, { props: { name: null } });
    const count = () => screen.getByTestId('segment-count').textContent ?? '';
    const engine = (conditions: unknown[]) =>
      formatCount(api.run<SegmentResult>('segment', { name: 'x', dataset: 'shop', conditions }, ['--json']).members);

    expect(count()).toContain('Add a first condition');
    await fireEvent.click(screen.getByText('+ Behaviour'));
    await fireEvent.input(screen.getByLabelText('Target'), { target: { value: 'add_to_cart' } });
    const carted = engine([{ did: { event: 'add_to_cart' }, at_least: 1 }]);
    await waitFor(() => expect(count()).toContain(carted));

    // Within N days of first seen: the engine's `within_days`.
    await fireEvent.input(screen.getByLabelText('Within days'), { target: { value: '2' } });
    const soon = engine([{ did: { event: 'add_to_cart' }, at_least: 1, within_days: 2 }]);
    expect(soon).not.toBe(carted);
    await waitFor(() => expect(count()).toContain(soon));

    // A nested OR group with a property condition.
    await fireEvent.click(screen.getAllByText('+ Group')[0]);
    const nested = screen.getAllByTestId('condition-group')[1];
    await fireEvent.click(within(nested).getByText('+ Property'));
    expect(count()).toContain('Condition 2.1 has no column');
    await fireEvent.change(within(nested).getByLabelText('Column'), { target: { value: 'device_category' } });
    await fireEvent.input(within(nested).getByLabelText('Value'), { target: { value: 'mobile' } });
    const mobile = engine([
      { did: { event: 'add_to_cart' }, at_least: 1, within_days: 2 },
      { match: 'any', conditions: [{ column: 'device_category', op: 'eq', value: 'mobile' }] },
    ]);
    await waitFor(() => expect(count()).toContain(mobile));

    // Negated: NOT (any of: mobile).
    await fireEvent.click(within(nested).getByLabelText('not'));
    const notMobile = engine([
      { did: { event: 'add_to_cart' }, at_least: 1, within_days: 2 },
      { not: { match: 'any', conditions: [{ column: 'device_category', op: 'eq', value: 'mobile' }] } },
    ]);
    expect(notMobile).not.toBe(mobile);
    await waitFor(() => expect(count()).toContain(notMobile));

    await fireEvent.input(screen.getByLabelText('Persona name'), { target: { value: 'Quick non-mobile carts' } });
    await fireEvent.click(screen.getByTestId('save-persona'));
    await waitFor(() => expect(app.segments.map((s) => s.name)).toEqual(['Quick non-mobile carts']));
    // What was saved is a spec the engine counts the same.
    expect(formatCount(api.run<SegmentResult>('segment', app.segments[0].spec, ['--json']).members)).toBe(notMobile);
  });
});
