// The comparison screen against the real engine: the groups, rates, lifts and
// verdicts it shows are the engine's answer to the spec the screen built,
// every cell as the engine formatted it (`shown`, the report's table).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import CompareView from './CompareView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { engineApi, engineReady } from '../test/engineApi';
import { fakeApi } from '../test/fakeApi';
import type { Charted, CompareResult } from '../lib/types';

afterEach(() => {
  cleanup();
  app.funnels = [];
  app.segments = [];
});

/** The text of every cell of the screen's comparison rows. */
const cells = () =>
  screen.getAllByTestId('compare-row').map((r) => Array.from((r as HTMLTableRowElement).cells).map((c) => c.textContent?.trim()));
const heads = () => Array.from(screen.getByTestId('compare-table').querySelectorAll('th')).map((th) => th.textContent?.trim());

function setup() {
  const api = engineApi();
  setApi(api);
  app.datasets = [api.dataset];
  const funnel = { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'add_to_cart' }, { event: 'purchase' }] };
  app.funnels = [{ kind: 'funnel', name: 'Checkout', updated_at: '', spec: funnel }];
  const filter = { name: 'Filter users', match: 'all' as const, conditions: [{ did: { event: 'use_filter' } }] };
  app.segments = [{ kind: 'segment', name: 'Filter users', updated_at: '', spec: filter }];
  return api;
}

describe.skipIf(!engineReady)('the comparison screen', () => {
  it('compares a persona with everyone else and shows the engine table, verdicts in words', { timeout: 60_000 }, async () => {
    const api = setup();
    render(CompareView);

    await waitFor(() => expect(screen.getAllByTestId('compare-row')).toHaveLength(2));
    const sent = vi.mocked(api.compare).mock.calls[0][0];
    expect(sent.baseline).toBe('Filter users');
    expect(sent.segments?.map((s) => s.name)).toEqual(['Filter users', 'Not Filter users']);
    const want = api.run<Charted<CompareResult>>('compare', sent, ['--json']);
    expect(heads()).toEqual(want.shown.table.columns.map((c) => c.name));
    expect(cells()).toEqual(want.shown.table.rows.map((r) => r.map((c) => c.text)));
    // the verdict column is the engine's verdict, in words
    expect(cells().map((r) => r[r.length - 1])).toEqual(want.segments.map((g) => g.conversion.verdict));
    // the engine's notes: each group against the baseline, the chi-square test
    const notes = screen.getByTestId('compare-notes').textContent ?? '';
    for (const n of want.shown.notes) expect(notes).toContain(n);
    expect(notes).toMatch(/chi-square test/);

    // Saved as the engine's compare spec: listed back, and the engine runs it to the same groups.
    app.compares = [];
    await fireEvent.input(screen.getByLabelText('Comparison name'), { target: { value: 'Filter vs rest' } });
    await fireEvent.click(screen.getByTestId('save-compare'));
    await waitFor(() => expect(app.compares.map((c) => c.name)).toEqual(['Filter vs rest']));
    expect(app.compares[0].spec).toEqual(sent);
    const again = api.run<Charted<CompareResult>>('compare', app.compares[0].spec, ['--json']);
    expect(again.shown.table).toEqual(want.shown.table);
  });

  it('compares first-time with returning buyers (the column picker\'s buyer status) and shows the engine table', { timeout: 60_000 }, async () => {
    const api = setup();
    // per session: a session whose user bought in an earlier session is returning
    const funnel = { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'purchase' }], count: 'sessions' as const };
    app.funnels = [{ kind: 'funnel', name: 'Visits to purchase', updated_at: '', spec: funnel }];
    render(CompareView);
    await fireEvent.click(screen.getByLabelText('the values of a column'));
    const picker = screen.getByTestId('compare-column') as HTMLSelectElement;
    expect(Array.from(picker.options).map((o) => o.textContent?.trim())).toContain('First-time vs returning buyers');
    await fireEvent.change(picker, { target: { value: '$buyer_status' } });
    await waitFor(() => expect(vi.mocked(api.compare).mock.calls.at(-1)?.[0].by).toBe('$buyer_status'));
    const sent = vi.mocked(api.compare).mock.calls.at(-1)![0];
    expect(sent.funnel).toEqual(funnel);
    const want = api.run<Charted<CompareResult>>('compare', sent, ['--json']);
    expect(want.segments.map((g) => g.name).sort()).toEqual(['First-time', 'Returning']);
    await waitFor(() => expect(cells()).toEqual(want.shown.table.rows.map((r) => r.map((c) => c.text))));
    expect(cells().map((r) => r[0])).toEqual(want.segments.map((g) => g.name));
  });

  it('sends the confidence level chosen; the intervals and verdicts are the engine’s at that level', { timeout: 60_000 }, async () => {
    const api = setup();
    render(CompareView);
    await waitFor(() => expect(screen.getAllByTestId('compare-row')).toHaveLength(2));
    expect(heads()).toContain('95% low');
    expect(screen.getByTestId('compare-level').textContent).toContain('95%');
    const at95 = cells();
    await fireEvent.click(screen.getByLabelText('90%'));
    await waitFor(() => expect(heads()).toContain('90% low'));
    const sent = vi.mocked(api.compare).mock.calls.at(-1)![0];
    expect(sent.confidence).toBe(0.9);
    const want = api.run<Charted<CompareResult>>('compare', sent, ['--json']);
    await waitFor(() => expect(cells()).toEqual(want.shown.table.rows.map((r) => r.map((c) => c.text))));
    expect(screen.getByTestId('compare-level').textContent).toContain('90%');
    // a narrower interval at 90%: the bounds' text changed
    const low = heads().indexOf('90% low');
    expect(cells().map((r) => r[low])).not.toEqual(at95.map((r) => r[low]));
  });

  it('exports the table the screen shows as CSV and XLSX, through the save dialog', { timeout: 60_000 }, async () => {
    const { existsSync, readFileSync, mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { queueSavePath } = await import('../lib/dialog');
    const api = setup();
    render(CompareView);
    await waitFor(() => expect(screen.getAllByTestId('compare-row')).toHaveLength(2));
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-compare-export-'));
    const csv = join(dir, 'compare.csv');
    const xlsx = join(dir, 'compare.xlsx');
    app.notices = [];
    queueSavePath(csv);
    await fireEvent.click(screen.getByTestId('compare-export-csv'));
    await waitFor(() => expect(existsSync(csv)).toBe(true));
    queueSavePath(xlsx);
    await fireEvent.click(screen.getByTestId('compare-export-xlsx'));
    await waitFor(() => expect(existsSync(xlsx)).toBe(true));
    expect(vi.mocked(api.exportTable).mock.calls.map((c) => [c[0], c[3]])).toEqual([
      ['compare', 'csv'],
      ['compare', 'xlsx'],
    ]);
    // the CSV is the engine's table: its header row names the columns the screen shows
    const header = readFileSync(csv, 'utf8').split('\n')[0];
    for (const h of heads()) expect(header).toContain(h!.split(' ')[0]);
    expect(readFileSync(xlsx).subarray(0, 2).toString()).toBe('PK');
    await waitFor(() => expect(app.notices.map((n) => n.message)).toContain(`Exported the table to ${xlsx}.`));
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
