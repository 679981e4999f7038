// The A/B test screen against the real engine: the plan is `stepwise plan`'s,
// the readout the engine's comparison by a variant column, and the split's
// sample-ratio check `stepwise srm`'s on the units per variant.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import AbView from './AbView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { engineApi, engineReady } from '../test/engineApi';
import type { Charted, CompareResult, PlannedTest, SampleRatioCheck } from '../lib/types';

afterEach(() => {
  cleanup();
  app.funnels = [];
  app.datasets = [];
});

describe.skipIf(!engineReady)('the A/B test screen', () => {
  it('plans a test with the engine and reads one out with its sample-ratio check', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    const funnel = { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'purchase' }] };
    app.funnels = [{ kind: 'funnel', name: 'Buy', updated_at: '', spec: funnel }];
    render(AbView);

    await waitFor(() => expect(screen.getByTestId('ab-plan-sentence')).toBeTruthy());
    expect(vi.mocked(api.planSampleSize).mock.calls[0][0]).toEqual({ baseline: 0.025, mde: 0.1, relative: true, power: 0.8, confidence: 0.95, variants: 2 });
    const want: PlannedTest = await api.planSampleSize({ baseline: 0.025, mde: 0.1, relative: true, power: 0.8, confidence: 0.95 });
    expect(screen.getByTestId('ab-per-variant').textContent).toBe(want.shown.users_per_variant);
    expect(screen.getByTestId('ab-plan-sentence').textContent).toBe(want.shown.sentence);
    const at99: PlannedTest = await api.planSampleSize({ baseline: 0.025, mde: 0.1, relative: true, power: 0.8, confidence: 0.99 });
    expect(at99.users_per_arm).toBeGreaterThan(want.users_per_arm);
    await fireEvent.click(screen.getByLabelText('99%'));
    await waitFor(() => expect(screen.getByTestId('ab-per-variant').textContent).toBe(at99.shown.users_per_variant));
    expect(screen.queryByTestId('ab-days')).toBeNull();

    // three variants at 4,000 visitors a day: the engine's users and days
    const three: PlannedTest = await api.planSampleSize({ baseline: 0.025, mde: 0.1, relative: true, power: 0.8, confidence: 0.99, variants: 3, daily_traffic: 4000 });
    expect(three.shown.days).toBeTruthy();
    await fireEvent.input(screen.getByTestId('ab-variants'), { target: { value: '3' } });
    await fireEvent.input(screen.getByTestId('ab-traffic'), { target: { value: '4000' } });
    await waitFor(() => expect(screen.getByTestId('ab-days').textContent).toBe(three.shown.days));
    expect(screen.getByTestId('ab-per-variant').textContent).toBe(three.shown.users_per_variant);
    expect(screen.getByTestId('ab-plan-sentence').textContent).toBe(three.shown.sentence);

    await fireEvent.change(screen.getByTestId('ab-column'), { target: { value: 'device_category' } });
    await waitFor(() => expect(screen.getAllByTestId('ab-row').length).toBeGreaterThan(1));
    const sent = vi.mocked(api.compare).mock.calls.at(-1)![0];
    expect(sent).toMatchObject({ by: 'device_category', confidence: 0.99 });
    const cmp = api.run<Charted<CompareResult>>('compare', sent, ['--json']);
    const rows = screen.getAllByTestId('ab-row').map((r) => Array.from((r as HTMLTableRowElement).cells).map((c) => c.textContent?.trim()));
    expect(rows).toEqual(cmp.shown.table.rows.map((r) => r.map((c) => c.text)));
    const units = cmp.segments.map((g) => g.steps[0].count);
    const check: SampleRatioCheck = await api.sampleRatioCheck(units);
    await waitFor(() => expect(screen.getByTestId('ab-srm').textContent).toContain(check.sentence));

    // a planned uneven split goes to the engine's check in the variants' order
    const weights = units.map((_, i) => i + 1);
    const uneven: SampleRatioCheck = await api.sampleRatioCheck(units, weights);
    expect(uneven.sentence).not.toBe(check.sentence);
    expect(screen.getByTestId('ab-variant-order').textContent).toContain(cmp.segments.map((g) => g.name).join(', '));
    await fireEvent.input(screen.getByTestId('ab-planned'), { target: { value: weights.join('/') } });
    await waitFor(() => expect(screen.getByTestId('ab-srm').textContent).toContain(uneven.sentence));
    expect(vi.mocked(api.sampleRatioCheck).mock.calls.at(-1)).toEqual([units, weights]);
    // a share the engine refuses comes back in its words
    await fireEvent.input(screen.getByTestId('ab-planned'), { target: { value: units.map(() => '0').join('/') } });
    await waitFor(() => expect(screen.getByTestId('ab-srm').textContent).toContain('above zero'));
    await fireEvent.input(screen.getByTestId('ab-planned'), { target: { value: 'half/half' } });
    await waitFor(() => expect(screen.getByTestId('ab-srm').textContent).toContain('numbers'));
  });
});
