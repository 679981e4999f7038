// The funnel builder against the real engine: every number on screen is the
// engine's answer to the spec the screen built.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import FunnelBuilder from './FunnelBuilder.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { formatDuration } from '../lib/format';
import { engineApi, engineReady } from '../test/engineApi';
import type { Charted, FunnelResult, FunnelSpec } from '../lib/types';

async function setup(dataset = 'shop') {
  const api = engineApi();
  setApi(api);
  app.datasets = [api.dataset, api.metrics];
  app.funnels = [];
  render(FunnelBuilder, { props: { name: null, dataset } });
  return api;
}

const engine = (api: ReturnType<typeof engineApi>, spec: FunnelSpec) => api.run<Charted<FunnelResult>>('funnel', spec, ['--json']);

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

describe.skipIf(!engineReady)('the funnel builder', { timeout: 60_000 }, () => {
  it('marks the events tagged micro and macro conversions in the step picker', async () => {
    const api = engineApi();
    await api.setEventTag('shop', 'add_to_cart', 'micro');
    await api.setEventTag('shop', 'purchase', 'macro');
    setApi(api);
    app.datasets = [api.dataset, api.metrics];
    app.funnels = [];
    render(FunnelBuilder, { props: { name: null, dataset: 'shop' } });
    const picker = await screen.findByTestId('step-picker');
    await waitFor(() => expect(within(picker).getAllByTestId('picker-tag')).toHaveLength(2));
    const tagged = within(picker)
      .getAllByTestId('picker-option')
      .filter((o) => o.querySelector('[data-testid="picker-tag"]'))
      .map((o) => [o.querySelector('.value')?.textContent, o.querySelector('[data-testid="picker-tag"]')?.textContent]);
    expect(tagged.sort()).toEqual([
      ['add_to_cart', 'micro'],
      ['purchase', 'macro'],
    ]);
  });

  it('builds a funnel from the picker and shows the engine result', async () => {
    const api = await setup();
    await pick('view_item');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('add_to_cart');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('/category/sale');

    await waitFor(() => expect(screen.getAllByTestId('funnel-row')).toHaveLength(3));
    const last = vi.mocked(api.runFunnel).mock.calls.at(-1)![0];
    expect(last).toEqual({
      dataset: 'shop',
      steps: [{ event: 'view_item' }, { event: 'add_to_cart' }, { page: '/category/sale' }],
      order: 'ordered',
      window: '14d',
      count: 'users',
    });
    const want = engine(api, last);
    expect(want.steps[2].count).toBeGreaterThan(0);
    const rows = screen.getAllByTestId('funnel-row') as HTMLTableRowElement[];
    // every cell is the engine's text (the report's table), median times as the PDF prints them
    const heads = Array.from(screen.getByTestId('funnel-table').querySelectorAll('th')).map((th) => th.textContent?.trim());
    expect(heads).toEqual(want.shown.table.columns.map((c) => c.name));
    expect(heads).toContain('Median time');
    expect(rows.map((r) => Array.from(r.cells).map((c) => c.textContent?.replace(' ›', '').trim()))).toEqual(
      want.shown.table.rows.map((r) => r.map((c) => c.text)),
    );
    expect(within(rows[0]).getByTestId('step-count').textContent).toBe(want.shown.table.rows[0][1].text);
    // the marked row is the engine's bottleneck step, in the table and in the chart
    expect(want.shown.bottleneck_step).toBeGreaterThan(0);
    expect(rows.map((r) => r.getAttribute('data-highlight') === 'true')).toEqual(
      want.steps.map((_, k) => k === want.shown.bottleneck_step),
    );
    const chartSteps = Array.from(screen.getByTestId('funnel-chart').querySelectorAll('.step'));
    expect(chartSteps.map((x) => x.classList.contains('worst'))).toEqual(want.steps.map((_, k) => k === want.shown.bottleneck_step));
    // the engine's notes: the bottleneck's finding
    expect(screen.getByTestId('funnel-notes').textContent).toContain(want.shown.notes[0]);
    expect(app.recompute?.steps).toBe(3);
    expect(app.recompute?.units).toBe(want.steps[0].count);
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
    await setup();
    await pick('/category/sale');
    // A regular expression JavaScript reads but the engine does not (no look-ahead).
    await fireEvent.change(screen.getByLabelText('Step 1 page match'), { target: { value: 'regex' } });
    await fireEvent.input(screen.getByLabelText('Step 1 page'), { target: { value: '^/(?=category)' } });
    expect((await screen.findByTestId('funnel-error')).textContent).toContain('look-around');
  });

  it('saves the spec under its name', async () => {
    const api = await setup();
    await pick('view_item');
    await fireEvent.input(screen.getByLabelText('Funnel name'), { target: { value: 'Checkout' } });
    await fireEvent.click(screen.getByTestId('save-funnel'));
    await waitFor(() => expect(app.funnels.map((f) => f.name)).toEqual(['Checkout']));
    expect(app.funnels[0].spec.steps).toEqual([{ event: 'view_item' }]);
    expect(screen.getByTestId('save-funnel').textContent).toContain('Saved');
  });

  it('builds a metric-table funnel: guesses dimension and metric, steps pick values', async () => {
    const api = await setup('pages');
    await pick('/');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('/checkout');
    await waitFor(() => expect(screen.getAllByTestId('funnel-row')).toHaveLength(2));
    expect(vi.mocked(api.datasetValues).mock.calls.at(-1)!.slice(0, 2)).toEqual(['pages', 'Page path']);
    const sent = vi.mocked(api.runFunnel).mock.calls.at(-1)![0];
    expect(sent).toEqual({
      dataset: 'pages',
      steps: [{ value: '/' }, { value: '/checkout' }],
      dimension: 'Page path',
      metric: 'Sessions',
    });
    const want = engine(api, sent);
    expect(want.steps.map((x) => x.count)).toEqual([1000, 120]);
    const table = screen.getByTestId('funnel-table');
    expect(table.textContent).toContain('Sessions');
    expect(table.textContent).toContain('1,000');
    expect(table.textContent).not.toContain('Median time');
  });

  it('sets a step window (within) and a first-time step, and shows the engine counts for them', async () => {
    const api = await setup();
    await pick('view_item');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('add_to_cart');
    await waitFor(() => expect(screen.getAllByTestId('funnel-row')).toHaveLength(2));
    const plain = engine(api, vi.mocked(api.runFunnel).mock.calls.at(-1)![0]);
    const filters = screen.getAllByRole('button', { name: 'Filter' });
    await fireEvent.click(filters[1]);
    await fireEvent.input(screen.getByLabelText('Step 2 within'), { target: { value: '10m' } });
    await fireEvent.click(filters[0]);
    await fireEvent.click(screen.getByLabelText('Step 1 first time'));
    await waitFor(() => {
      const sent = vi.mocked(api.runFunnel).mock.calls.at(-1)![0];
      expect(sent.steps).toEqual([{ event: 'view_item', first_time: true }, { event: 'add_to_cart', within: '10m' }]);
    });
    const want = engine(api, vi.mocked(api.runFunnel).mock.calls.at(-1)![0]);
    // a 10-minute step window keeps fewer than the 14-day window alone
    expect(want.steps[1].count).toBeLessThan(plain.steps[1].count);
    await waitFor(() =>
      expect(within((screen.getAllByTestId('funnel-row') as HTMLTableRowElement[])[1]).getByTestId('step-count').textContent).toBe(
        want.shown.table.rows[1][1].text,
      ),
    );
  });

  it('breaks the funnel down by buyer status: the engine\'s first-time and returning rows', async () => {
    const api = await setup();
    await pick('view_item');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('purchase');
    await waitFor(() => expect(screen.getAllByTestId('funnel-row')).toHaveLength(2));
    const picker = screen.getByTestId('breakdown-column') as HTMLSelectElement;
    expect(Array.from(picker.options).map((o) => o.textContent)).toContain('First-time vs returning buyers');
    await fireEvent.change(picker, { target: { value: '$buyer_status' } });
    await waitFor(() => expect(vi.mocked(api.runFunnel).mock.calls.at(-1)![0].breakdown).toEqual({ column: '$buyer_status' }));
    // no attribution for buyer status; the hint names the last step
    expect(screen.queryByLabelText('Attribution')).toBeNull();
    expect(screen.getByTestId('buyer-status-hint').textContent).toContain('purchase');
    // counting users, a user's counted attempt is their first purchase: all
    // first-time on this generated store (docs/funnel.md, Buyer status)
    const users = engine(api, vi.mocked(api.runFunnel).mock.calls.at(-1)![0]);
    expect(users.breakdown.map((b) => b.value)).toEqual(['First-time']);
    // counting sessions, a session whose user bought in an earlier one is returning
    await fireEvent.change(screen.getByLabelText('Count'), { target: { value: 'sessions' } });
    await waitFor(() => expect(vi.mocked(api.runFunnel).mock.calls.at(-1)![0].count).toBe('sessions'));
    const want = engine(api, vi.mocked(api.runFunnel).mock.calls.at(-1)![0]);
    const values = want.breakdown.map((b) => b.value).sort();
    expect(values).toEqual(['First-time', 'Returning']);
    // the groups partition the funnel
    expect(want.breakdown.reduce((a, b) => a + b.steps[0].count, 0)).toBe(want.steps[0].count);
    await waitFor(() => {
      const rows = screen.getAllByTestId('breakdown-row') as HTMLTableRowElement[];
      expect(rows.map((r) => Array.from(r.cells).map((c) => c.textContent?.trim()))).toEqual(
        want.shown.breakdown!.rows.map((r) => r.map((c) => c.text)),
      );
    });
  });

  it('holds a column constant (same session, then same event name) and shows the engine counts for it', async () => {
    const api = await setup();
    await pick('view_item');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('add_to_cart');
    await waitFor(() => expect(screen.getAllByTestId('funnel-row')).toHaveLength(2));
    const plain = engine(api, vi.mocked(api.runFunnel).mock.calls.at(-1)![0]);
    await fireEvent.change(screen.getByTestId('funnel-hold'), { target: { value: 'session_id' } });
    await waitFor(() => {
      const sent = vi.mocked(api.runFunnel).mock.calls.at(-1)![0];
      expect(sent).toEqual({
        dataset: 'shop',
        steps: [{ event: 'view_item' }, { event: 'add_to_cart' }],
        order: 'ordered',
        window: '14d',
        count: 'users',
        hold: 'session_id',
      });
    });
    const want = engine(api, vi.mocked(api.runFunnel).mock.calls.at(-1)![0]);
    // the generated carts all follow a view in their own session
    expect(want.steps[1].count).toBe(plain.steps[1].count);
    await waitFor(() =>
      expect(within((screen.getAllByTestId('funnel-row') as HTMLTableRowElement[])[1]).getByTestId('step-count').textContent).toBe(
        want.shown.table.rows[1][1].text,
      ),
    );
    // held on the event name, no view shares its value with a cart: nobody converts
    await fireEvent.change(screen.getByTestId('funnel-hold'), { target: { value: 'event' } });
    await waitFor(() => expect(vi.mocked(api.runFunnel).mock.calls.at(-1)![0].hold).toBe('event'));
    const none = engine(api, vi.mocked(api.runFunnel).mock.calls.at(-1)![0]);
    expect(none.steps[0].count).toBe(plain.steps[0].count);
    expect(none.steps[1].count).toBe(0);
    await waitFor(() =>
      expect(within((screen.getAllByTestId('funnel-row') as HTMLTableRowElement[])[1]).getByTestId('step-count').textContent).toBe(
        none.shown.table.rows[1][1].text,
      ),
    );
  });

  it('marks a middle step optional and the funnel open, and shows the engine counts for them', async () => {
    const api = await setup();
    await pick('view_item');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('begin_checkout');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('purchase');
    await waitFor(() => expect(screen.getAllByTestId('funnel-row')).toHaveLength(3));
    const plain = engine(api, vi.mocked(api.runFunnel).mock.calls.at(-1)![0]);
    const filters = screen.getAllByRole('button', { name: 'Filter' });
    // only a middle step can be optional
    await fireEvent.click(filters[0]);
    await fireEvent.click(filters[2]);
    expect(screen.queryByLabelText('Step 1 optional')).toBeNull();
    expect(screen.queryByLabelText('Step 3 optional')).toBeNull();
    await fireEvent.click(filters[1]);
    await fireEvent.click(screen.getByLabelText('Step 2 optional'));
    await waitFor(() => {
      const sent = vi.mocked(api.runFunnel).mock.calls.at(-1)![0];
      expect(sent.steps).toEqual([{ event: 'view_item' }, { event: 'begin_checkout', optional: true }, { event: 'purchase' }]);
    });
    const optional = engine(api, vi.mocked(api.runFunnel).mock.calls.at(-1)![0]);
    // skipping checkout keeps more purchases than requiring it
    expect(optional.steps[2].count).toBeGreaterThanOrEqual(plain.steps[2].count);
    expect(optional.steps[1].count).toBe(plain.steps[1].count);
    await waitFor(() =>
      expect(within((screen.getAllByTestId('funnel-row') as HTMLTableRowElement[])[2]).getByTestId('step-count').textContent).toBe(
        optional.shown.table.rows[2][1].text,
      ),
    );
    await fireEvent.click(screen.getByTestId('funnel-open'));
    await waitFor(() => expect(vi.mocked(api.runFunnel).mock.calls.at(-1)![0].open).toBe(true));
    const open = engine(api, vi.mocked(api.runFunnel).mock.calls.at(-1)![0]);
    // units entering at checkout or purchase add to the later steps, never to the first
    expect(open.steps[0].count).toBeLessThanOrEqual(optional.steps[0].count);
    expect(open.steps[2].count).toBeGreaterThanOrEqual(optional.steps[2].count);
    await waitFor(() =>
      expect(within((screen.getAllByTestId('funnel-row') as HTMLTableRowElement[])[2]).getByTestId('step-count').textContent).toBe(
        open.shown.table.rows[2][1].text,
      ),
    );
    // an any-order funnel has neither: the builder says so before the engine would
    await fireEvent.change(screen.getByDisplayValue('Ordered'), { target: { value: 'unordered' } });
    await waitFor(() => expect(document.body.textContent).toContain('any-order funnel'));
  });

  it('shows the trend and time to convert the engine returns', async () => {
    const api = await setup();
    await pick('view_item');
    await fireEvent.click(screen.getByTestId('add-step'));
    await pick('add_to_cart');
    await fireEvent.change(screen.getByTestId('funnel-trend'), { target: { value: 'week' } });
    await fireEvent.click(screen.getByTestId('funnel-ttc'));
    await waitFor(() => expect(screen.getByTestId('time-to-convert')).toBeTruthy());
    const sent = vi.mocked(api.runFunnel).mock.calls.at(-1)![0];
    expect(sent.trend).toEqual({ interval: 'week' });
    expect(sent.time_to_convert).toEqual({ from_step: 0, bins: 10 });
    const want = engine(api, sent);
    expect(screen.getByTestId('trend-chart').textContent).toContain(want.trend![0].period);
    expect(screen.getByTestId('time-to-convert').textContent!.replace(/\s+/g, ' ')).toContain(
      `median ${formatDuration(want.time_to_convert!.median_seconds)}`,
    );

    // by the hour (the engine's Interval::Hour): the spec carries it and the chart shows the engine's hourly periods
    await fireEvent.change(screen.getByTestId('funnel-trend'), { target: { value: 'hour' } });
    await waitFor(() => expect(vi.mocked(api.runFunnel).mock.calls.at(-1)![0].trend).toEqual({ interval: 'hour' }));
    const hourly = engine(api, vi.mocked(api.runFunnel).mock.calls.at(-1)![0]);
    expect(hourly.trend!.length).toBeGreaterThan(want.trend!.length);
    await waitFor(() => expect(screen.getByTestId('trend-chart').textContent).toContain(hourly.trend![0].period));
  });
});
