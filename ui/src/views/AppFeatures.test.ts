// Engine-drawn charts with Copy / Save PNG, who dropped at a step, the sheet
// picker, appending an export, and switching workspaces.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatCount } from '../lib/format';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from '../App.svelte';
import FunnelBuilder from './FunnelBuilder.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { queueOpenPath, queueSavePath } from '../lib/dialog';
import { dataset, fakeApi } from '../test/fakeApi';
import type { Charted, FunnelResult, FunnelSpec } from '../lib/types';
import { engineApi, engineReady } from '../test/engineApi';
import type { Dropoff } from '../lib/bindings/Dropoff';

const SVG = (what: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="360" viewBox="0 0 800 360"><text>${what}</text></svg>`;

function result(spec: FunnelSpec, view?: { theme: string; width: number }): Charted<FunnelResult> {
  const counts = [1000, 400, 300];
  return {
    steps: spec.steps.map((s, k) => ({
      label: s.event ?? String(s.page),
      count: counts[k] ?? 100,
      conversion_from_start: (counts[k] ?? 100) / 1000,
      conversion_from_previous: k === 0 ? 1 : (counts[k] ?? 100) / (counts[k - 1] ?? 100),
      dropped: k === 0 ? 0 : (counts[k - 1] ?? 100) - (counts[k] ?? 100),
      average_seconds: null,
      median_seconds: null,
    })),
    breakdown: [],
    trend: null,
    time_to_convert: null,
    unit: 'users',
    excluded: 0,
    warnings: [],
    svg: view ? SVG(`funnel ${view.theme} ${view.width}`) : undefined,
    // no table: these tests look at the chart (the table's tests run the engine)
    shown: { heading: '', table: { columns: [], rows: [] }, notes: [], findings: [] },
  };
}

function funnelApi() {
  const api = fakeApi([dataset('shop', 50000)]);
  api.runFunnel = vi.fn(async (spec: FunnelSpec, view?: { theme: 'light' | 'dark'; width: number }) => result(spec, view));
  setApi(api);
  app.datasets = api.datasets.slice();
  app.funnels = [
    { name: 'Checkout', spec: { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'add_to_cart' }, { event: 'purchase' }] } },
  ] as typeof app.funnels;
  return api;
}

afterEach(() => {
  cleanup();
  app.datasets = [];
  app.funnels = [];
  app.view = { kind: 'home' };
  app.sheetPick = null;
  app.job = null;
  app.error = null;
  app.theme = 'light';
});

describe('engine charts in the funnel builder', () => {
  it('shows the engine SVG for the theme, copies it and saves it as PNG', async () => {
    const api = funnelApi();
    render(FunnelBuilder, { props: { name: 'Checkout', dataset: 'shop' } });
    const chart = await screen.findByTestId('funnel-chart');
    await waitFor(() => expect(chart.querySelector('svg text')?.textContent).toMatch(/^funnel light \d+$/));
    const [, view, title] = vi.mocked(api.runFunnel).mock.calls.at(-1)!;
    expect(view).toMatchObject({ theme: 'light' });
    expect(title).toBe('Checkout');

    await fireEvent.click(within(chart).getByTestId('chart-copy'));
    await waitFor(() => expect(api.copyChart).toHaveBeenCalledTimes(1));
    expect(vi.mocked(api.copyChart).mock.calls[0][0]).toContain('funnel light');

    queueSavePath('/tmp/out/checkout.png');
    await fireEvent.click(within(chart).getByTestId('chart-save'));
    await waitFor(() => expect(api.saveChartPng).toHaveBeenCalledTimes(1));
    expect(vi.mocked(api.saveChartPng).mock.calls[0][1]).toBe('/tmp/out/checkout.png');

    // The theme switch redraws in the dark theme.
    app.theme = 'dark';
    await waitFor(() => expect(screen.getByTestId('funnel-chart').querySelector('svg text')?.textContent).toMatch(/^funnel dark/));
  });

});

// Who dropped is the engine's answer (`stepwise funnel --dropped`), listed and exported.
describe.skipIf(!engineReady)('who dropped, from the engine', () => {
  it('lists who dropped at a step and exports them', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    const spec = { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'add_to_cart' }, { event: 'purchase' }] };
    app.funnels = [{ kind: 'funnel', name: 'Checkout', updated_at: '', spec }];
    render(FunnelBuilder, { props: { name: 'Checkout', dataset: 'shop' } });
    await waitFor(() => expect(screen.getAllByTestId('funnel-row')).toHaveLength(3));
    const opens = screen.getAllByTestId('dropoff-open');
    expect(opens).toHaveLength(2);
    await fireEvent.click(opens[0]);
    const want = api.run<Dropoff>('funnel', spec, ['--dropped', '2', '--json']);
    expect(want.count).toBeGreaterThan(50);
    const panel = await screen.findByTestId('dropoff-panel');
    await waitFor(() => expect(within(panel).getByTestId('dropoff-count').textContent).toBe(formatCount(want.count)));
    expect(panel.textContent).toContain('reached “view_item” but not “add_to_cart”');
    // The screen asks for the first 50; the CLI lists its own first 20.
    expect(vi.mocked(api.funnelDropoff).mock.calls.at(-1)!.slice(1)).toEqual([1, 50]);
    const rows = within(panel).getAllByTestId('dropoff-row');
    expect(rows).toHaveLength(want.rows.length);
    rows.forEach((r, k) => expect(r.textContent).toContain(want.rows[k][0]));
    expect(panel.textContent).toContain(`The first ${want.rows.length} of ${formatCount(want.count)}`);

    const out = join(mkdtempSync(join(tmpdir(), 'stepwise-dropped-')), 'dropped.csv');
    queueSavePath(out);
    await fireEvent.click(within(panel).getByTestId('dropoff-export'));
    await waitFor(() => expect(api.exportDropoff).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(existsSync(out)).toBe(true));
    expect(readFileSync(out, 'utf8').trim().split('\n').length).toBe(want.count + 1);
  });
});

describe('the app shell', () => {
  it('asks which sheet of a workbook to import, the largest first', async () => {
    const api = fakeApi([]);
    api.fileTables = vi.fn(async () => ({
      kind: 'sheets' as const,
      tables: [
        { index: 0, title: 'Notes', columns: ['text'], rows: 3, line: 1 },
        { index: 1, title: 'Pages', columns: ['page', 'users'], rows: 500, line: 1 },
      ],
    }));
    setApi(api);
    render(App);
    await screen.findByTestId('empty-state');
    const done = window.stepwise!.importPaths(['/x/book.xlsx']);
    const picker = await screen.findByTestId('sheet-picker');
    const options = within(picker).getAllByTestId('sheet-option');
    expect(options.map((o) => o.dataset.title)).toEqual(['Notes', 'Pages']);
    expect((options[1].querySelector('input') as HTMLInputElement).checked).toBe(true);
    expect(api.importFiles).not.toHaveBeenCalled();
    await fireEvent.click(options[0].querySelector('input')!);
    await fireEvent.click(within(picker).getByTestId('sheet-import'));
    await waitFor(() => expect(api.importFiles).toHaveBeenCalledTimes(1));
    expect(vi.mocked(api.importFiles).mock.calls[0][2]).toEqual([{ sheet: 'Notes' }]);
    api.finishImport!([dataset('book', 3)]);
    await done;
    expect(screen.queryByTestId('sheet-picker')).toBeNull();
  });

  it('a cancelled sheet picker imports nothing', async () => {
    const api = fakeApi([]);
    api.fileTables = vi.fn(async () => ({
      kind: 'tables' as const,
      tables: [
        { index: 0, title: null, columns: ['a'], rows: 3, line: 1 },
        { index: 1, title: null, columns: ['b'], rows: 4, line: 9 },
      ],
    }));
    setApi(api);
    render(App);
    await screen.findByTestId('empty-state');
    const done = window.stepwise!.importPaths(['/x/report.csv']);
    const picker = await screen.findByTestId('sheet-picker');
    await fireEvent.keyDown(picker, { key: 'Escape' });
    await done;
    expect(api.importFiles).not.toHaveBeenCalled();
    expect(screen.queryByTestId('sheet-picker')).toBeNull();
  });

  it('appends a newer export to a dataset from its page', async () => {
    const api = fakeApi([dataset('shop', 100)]);
    api.appendDataset = vi.fn(async (name: string) => {
      const d = api.datasets.find((x) => x.name === name)!;
      d.rows = 150;
      return d;
    });
    setApi(api);
    render(App);
    await screen.findByTestId('home-dataset-table');
    app.open({ kind: 'dataset', name: 'shop' });
    queueOpenPath('/x/shop-october.csv');
    await fireEvent.click(await screen.findByTestId('append-button'));
    await waitFor(() => expect(api.appendDataset).toHaveBeenCalledTimes(1));
    expect(vi.mocked(api.appendDataset).mock.calls[0].slice(0, 2)).toEqual(['shop', '/x/shop-october.csv']);
    await waitFor(() =>
      expect(within(screen.getByTestId('dataset-list')).getByTestId('dataset-rows').textContent).toBe('150'),
    );
  });

  it('lists recent workspaces and switches to one', async () => {
    const api = fakeApi([dataset('a', 10)]);
    api.recentWorkspaces = vi.fn(async () => ['/home/a/Client A.stepwise', '/home/a/Client B.stepwise']);
    api.openWorkspace = vi.fn(async (path: string) => {
      api.datasets = [dataset('b', 20)];
      api.workspaceInfo = vi.fn(async () => ({ path, datasets: 1 }));
      return { path, datasets: 1 };
    });
    setApi(api);
    render(App);
    await screen.findByTestId('home-dataset-table');
    const recent = await screen.findAllByTestId('recent-workspace');
    // the open one (Client A) is not listed
    expect(recent.map((r) => r.textContent?.trim())).toEqual(['Client B']);
    await fireEvent.click(recent[0]);
    await waitFor(() => expect(api.openWorkspace).toHaveBeenCalledWith('/home/a/Client B.stepwise', false));
    await waitFor(() =>
      expect(within(screen.getByTestId('dataset-list')).getByTestId('dataset-name').textContent).toBe('b'),
    );
    expect(app.workspaceName).toBe('Client B');

    queueOpenPath('/home/a/Other.stepwise');
    await fireEvent.click(screen.getByTestId('open-workspace'));
    await waitFor(() => expect(api.openWorkspace).toHaveBeenCalledWith('/home/a/Other.stepwise', false));
  });
});
