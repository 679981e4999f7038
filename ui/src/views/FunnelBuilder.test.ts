import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import FunnelBuilder from './FunnelBuilder.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { dataset, fakeApi } from '../test/fakeApi';
import type { FunnelSpec, FunnelResult } from '../lib/types';

// The fake engine halves the count at every step, so the numbers on screen
// follow from the spec it was sent.
function halving(spec: FunnelSpec): FunnelResult {
  return {
    steps: spec.steps.map((s, k) => ({
      label: s.label ?? s.event ?? String(s.page),
      count: 12000 / 2 ** k,
      conversion_from_start: 1 / 2 ** k,
      conversion_from_previous: k === 0 ? 1 : 0.5,
      dropped: k === 0 ? 0 : 12000 / 2 ** k,
      average_seconds: k === 0 ? null : 250,
      median_seconds: k === 0 ? null : 200,
    })),
  };
}

async function setup() {
  const api = fakeApi([dataset('shop', 50000)]);
  api.datasetValues = vi.fn(async (_n: string, column: string) =>
    column === 'event_name'
      ? [
          { value: 'view_item', count: 30000 },
          { value: 'add_to_cart', count: 9000 },
          { value: 'purchase', count: 1200 },
        ]
      : [{ value: '/checkout', count: 5000 }],
  );
  api.runFunnel = vi.fn(async (spec: FunnelSpec) => halving(spec));
  setApi(api);
  app.datasets = api.datasets.slice();
  app.funnels = [];
  render(FunnelBuilder, { props: { name: null, dataset: 'shop' } });
  return api;
}

async function pick(text: string) {
  const picker = await screen.findByTestId('step-picker');
  const search = within(picker).getByLabelText('Search events and pages');
  await fireEvent.input(search, { target: { value: text } });
  const option = await within(picker).findByText(text);
  await fireEvent.click(option);
}

afterEach(() => {
  cleanup();
  app.datasets = [];
});

describe('the funnel builder', () => {
  it('builds a funnel from the picker and shows the engine result', async () => {
    const api = await setup();
    await pick('view_item');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('add_to_cart');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('/checkout');

    await waitFor(() => expect(screen.getAllByTestId('funnel-row')).toHaveLength(3));
    const last = vi.mocked(api.runFunnel).mock.calls.at(-1)![0];
    expect(last).toEqual({
      dataset: 'shop',
      steps: [{ event: 'view_item' }, { event: 'add_to_cart' }, { page: '/checkout' }],
      order: 'ordered',
      window: '14d',
      count: 'users',
    });
    const rows = screen.getAllByTestId('funnel-row');
    expect(within(rows[0]).getByTestId('step-count').textContent).toBe('12,000');
    expect(rows[1].textContent).toContain('50.0%');
    expect(rows[2].textContent).toContain('25.0%');
    expect(rows[2].textContent).toContain('3 min 20 s');
    expect(app.recompute?.steps).toBe(3);
    expect(app.recompute?.units).toBe(12000);
  });

  it('recomputes once per burst of edits (debounced) and after reordering', async () => {
    const api = await setup();
    await pick('view_item');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('purchase');
    await waitFor(() => expect(screen.getAllByTestId('funnel-row')).toHaveLength(2));
    const before = vi.mocked(api.runFunnel).mock.calls.length;

    const win = screen.getByLabelText('Window length');
    for (const v of ['1', '2', '3']) await fireEvent.input(win, { target: { value: v } });
    await waitFor(() => expect(vi.mocked(api.runFunnel).mock.calls.length).toBe(before + 1));
    expect(vi.mocked(api.runFunnel).mock.calls.at(-1)![0].window).toBe('3d');

    await fireEvent.click(screen.getByLabelText('Move step 2 up'));
    await waitFor(() =>
      expect(vi.mocked(api.runFunnel).mock.calls.at(-1)![0].steps).toEqual([{ event: 'purchase' }, { event: 'view_item' }]),
    );
  });

  it('keyboard moves a step with Alt+Down', async () => {
    const api = await setup();
    await pick('view_item');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('purchase');
    const steps = screen.getAllByTestId('funnel-step');
    await fireEvent.keyDown(steps[0], { key: 'ArrowDown', altKey: true });
    await waitFor(() =>
      expect(vi.mocked(api.runFunnel).mock.calls.at(-1)![0].steps).toEqual([{ event: 'purchase' }, { event: 'view_item' }]),
    );
  });

  it('does not run an invalid funnel and says why', async () => {
    const api = await setup();
    await pick('view_item');
    await waitFor(() => expect(api.runFunnel).toHaveBeenCalledTimes(1));
    await fireEvent.input(screen.getByLabelText('Step 1 event'), { target: { value: '' } });
    expect((await screen.findByTestId('funnel-issues')).textContent).toContain('Step 1 has no event');
    await new Promise((r) => setTimeout(r, 300));
    expect(api.runFunnel).toHaveBeenCalledTimes(1);
  });

  it('shows the engine error in words', async () => {
    const api = await setup();
    api.runFunnel = vi.fn(async () => {
      throw { code: 'bad_input', message: 'The dataset "shop" has no column "device".' };
    });
    await pick('view_item');
    expect((await screen.findByTestId('funnel-error')).textContent).toContain('has no column "device"');
  });

  it('saves the spec under its name', async () => {
    const api = await setup();
    await pick('view_item');
    await fireEvent.input(screen.getByLabelText('Funnel name'), { target: { value: 'Checkout' } });
    await fireEvent.click(screen.getByTestId('save-funnel'));
    await waitFor(() => expect(api.saveItem).toHaveBeenCalled());
    const [kind, name, spec] = vi.mocked(api.saveItem).mock.calls[0];
    expect(kind).toBe('funnel');
    expect(name).toBe('Checkout');
    expect((spec as FunnelSpec).steps).toEqual([{ event: 'view_item' }]);
  });

  it('builds a metric-table funnel: guesses dimension and metric, steps pick values', async () => {
    const api = fakeApi([]);
    api.datasets = [
      {
        ...dataset('ga4 pages', 7),
        kind: 'metrics',
        columns: [
          { name: 'Page path', type: 'text', role: 'page' },
          { name: 'Sessions', type: 'integer', role: null },
          { name: 'Users', type: 'integer', role: 'metric' },
        ],
      },
    ];
    api.datasetValues = vi.fn(async () => [
      { value: '/', count: 1 },
      { value: '/checkout', count: 1 },
    ]);
    api.runFunnel = vi.fn(async (spec: FunnelSpec) => ({
      ...halving(spec),
      steps: halving(spec).steps.map((x) => ({ ...x, average_seconds: null, median_seconds: null })),
      unit: 'rows',
      warnings: ['Step 2 matches no rows.'],
    }));
    setApi(api);
    app.datasets = api.datasets.slice();
    render(FunnelBuilder, { props: { name: null, dataset: 'ga4 pages' } });
    await pick('/');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('/checkout');
    await waitFor(() => expect(screen.getAllByTestId('funnel-row')).toHaveLength(2));
    expect(vi.mocked(api.datasetValues).mock.calls[0].slice(0, 2)).toEqual(['ga4 pages', 'Page path']);
    expect(vi.mocked(api.runFunnel).mock.calls.at(-1)![0]).toEqual({
      dataset: 'ga4 pages',
      steps: [{ value: '/' }, { value: '/checkout' }],
      dimension: 'Page path',
      metric: 'Users',
    });
    const table = screen.getByTestId('funnel-table');
    expect(table.textContent).toContain('Users');
    expect(table.textContent).not.toContain('Median time');
    expect(screen.getByTestId('funnel-warnings').textContent).toContain('Step 2 matches no rows.');
  });

  it('shows the trend and time to convert the engine returns', async () => {
    const api = await setup();
    api.runFunnel = vi.fn(async (spec: FunnelSpec) => ({
      ...halving(spec),
      trend: spec.trend
        ? [
            { period: '2024-09-02', entered: 100, converted: 25, rate: 0.25 },
            { period: '2024-09-09', entered: 80, converted: 10, rate: 0.125 },
          ]
        : null,
      time_to_convert: spec.time_to_convert
        ? {
            from_step: 0,
            to_step: 1,
            bins: [
              { from_seconds: 0, to_seconds: 60, count: 5 },
              { from_seconds: 60, to_seconds: 120, count: 2 },
            ],
            average_seconds: 50,
            median_seconds: 200,
          }
        : null,
    }));
    await pick('view_item');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('purchase');
    await fireEvent.change(screen.getByTestId('funnel-trend'), { target: { value: 'week' } });
    await fireEvent.click(screen.getByTestId('funnel-ttc'));
    await waitFor(() => expect(screen.getByTestId('time-to-convert')).toBeTruthy());
    const sent = vi.mocked(api.runFunnel).mock.calls.at(-1)![0];
    expect(sent.trend).toEqual({ interval: 'week' });
    expect(sent.time_to_convert).toEqual({ from_step: 0, bins: 10 });
    expect(screen.getByTestId('trend-chart').textContent).toContain('2024-09-02');
    expect(screen.getByTestId('time-to-convert').textContent!.replace(/\s+/g, ' ')).toContain('median 3 min 20 s');
  });
});
