// "Add to report" against the real engine: the Value tab, Paths and Retention
// hand the spec they ran to the report screen through app state (a pending
// section the report screen takes when it opens); the report appends it
// unsaved, its preview is built by the engine, and what it saves is a report
// `stepwise report` runs, with the figures the screen showed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ReportView from './ReportView.svelte';
import PathsView from './PathsView.svelte';
import RetentionView from './RetentionView.svelte';
import ValuePanel from '../widgets/ValuePanel.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { emptyValueDraft } from '../lib/value';
import { engineApi, engineReady } from '../test/engineApi';
import type { PathsResult, ReportSpec, RetentionResult } from '../lib/types';
import type { ValueResult } from '../lib/bindings/ValueResult';

afterEach(() => {
  cleanup();
  app.reports = [];
  app.datasets = [];
  app.unsaved = null;
  app.leavePrompt = null;
  app.pendingSection = null;
  app.view = { kind: 'home' };
});

/** The report screen App.svelte shows for the current view (it must be a report). */
function openReportScreen() {
  const v = app.view;
  if (v.kind !== 'report') throw new Error(`the app shows ${v.kind}, not a report`);
  cleanup();
  return render(ReportView, { props: { name: v.name } });
}

const kinds = () => screen.getAllByTestId('report-section').map((e) => e.dataset.kind);

/** The report's CSV tables as `stepwise report` writes them, joined. */
function reportCsv(api: ReturnType<typeof engineApi>, spec: ReportSpec): string {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-report-add-'));
  api.run('report', spec, ['--out', join(dir, 'r.csv')]);
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

describe.skipIf(!engineReady)('Add to report', () => {
  it('Retention: a new report opens with the section appended, unsaved; the engine previews and runs it', { timeout: 90_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    render(RetentionView);
    const button = screen.getByTestId('add-to-report') as HTMLButtonElement;
    expect(button.disabled).toBe(true); // no result yet
    await waitFor(() => expect(screen.getByTestId('retention-table')).toBeTruthy(), { timeout: 30_000 });
    await waitFor(() => expect(button.disabled).toBe(false));

    // the menu: no saved report yet, so only "New report"; Escape closes it and gives focus back
    await fireEvent.click(button);
    const menu = screen.getByTestId('add-to-report-menu');
    expect(within(menu).queryAllByTestId('add-to-report-option')).toHaveLength(0);
    expect(document.activeElement).toBe(screen.getByTestId('add-to-report-new'));
    await fireEvent.keyDown(menu, { key: 'Escape' });
    expect(screen.queryByTestId('add-to-report-menu')).toBeNull();
    expect(document.activeElement).toBe(button);
    await fireEvent.click(button);
    await fireEvent.click(screen.getByTestId('add-to-report-new'));

    const spec = { dataset: 'shop', cohort: 'first_seen', return: 'any', interval: 'week' } as const;
    expect(app.view).toMatchObject({ kind: 'report', name: null });
    expect(app.pendingSection?.section).toEqual({ heading: 'Weekly retention', retention: spec });

    openReportScreen();
    expect(app.pendingSection).toBeNull(); // taken once
    expect(kinds()).toEqual(['retention']);
    expect((screen.getByLabelText('Section 1 heading') as HTMLInputElement).value).toBe('Weekly retention');
    expect(screen.getByLabelText('Section 1 findings')).toBeTruthy();
    expect(screen.getByTestId('report-section-summary').textContent).toBe('shop · cohort by first visit · back: any event · weekly, 8 periods');
    expect(app.unsaved?.dirty()).toBe(true);
    expect(screen.getByTestId('save-report').textContent?.trim()).toBe('Save');

    // the engine builds the preview of exactly that section
    await waitFor(() => expect(screen.getAllByTestId('report-page').length).toBeGreaterThan(1), { timeout: 30_000 });
    expect(screen.queryByTestId('report-preview-error')).toBeNull();
    expect(vi.mocked(api.reportPages).mock.calls.at(-1)![0].sections).toEqual([{ heading: 'Weekly retention', retention: spec }]);

    // the leave prompt applies: leaving asks first, Cancel stays
    app.open({ kind: 'home' });
    expect(app.leavePrompt?.what).toBe('new report');
    await app.leavePrompt!.answer('cancel');
    expect(app.view.kind).toBe('report');

    await fireEvent.input(screen.getByLabelText('Report title'), { target: { value: 'Journeys review' } });
    await fireEvent.click(screen.getByTestId('save-report'));
    await waitFor(() => expect(app.reports.map((r) => r.name)).toContain('Journeys review'));
    await waitFor(() => expect(app.unsaved?.dirty()).toBe(false));
    const saved: ReportSpec = app.reports.find((r) => r.name === 'Journeys review')!.spec;
    expect(saved.sections).toEqual([{ heading: 'Weekly retention', retention: spec }]);
    // what was saved, `stepwise report` runs: the cohort sizes the screen showed are in its table
    const cli = api.run<RetentionResult>('retention', spec, ['--json']);
    const csv = reportCsv(api, saved);
    expect(cli.cohorts.length).toBeGreaterThan(1);
    for (const c of cli.cohorts) expect(csv).toContain(`${c.period},${c.size},`);
    expect(csv).toContain(`All cohorts,${cli.users},`);
  });

  it('Paths and the Value tab: each appended to a saved report, kept after its sections', { timeout: 90_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    await api.saveItem('report', 'Monthly', { title: 'Monthly', page: 'A4', sections: [{ heading: 'Findings', text: 'Checkout leaks.' }] });
    await app.loadItems();

    render(PathsView);
    await fireEvent.input(screen.getByTestId('paths-target'), { target: { value: 'view_item' } });
    await waitFor(() => expect(screen.getByTestId('paths-table')).toBeTruthy(), { timeout: 30_000 });
    const button = screen.getByTestId('add-to-report') as HTMLButtonElement;
    await waitFor(() => expect(button.disabled).toBe(false));
    // by keyboard: the menu opens on its first item (the saved report); ↓ ↑ move, End is "New report"
    await fireEvent.click(button);
    const menu = screen.getByTestId('add-to-report-menu');
    const [monthly] = within(menu).getAllByTestId('add-to-report-option');
    expect(monthly.textContent).toBe('Monthly');
    expect(document.activeElement).toBe(monthly);
    await fireEvent.keyDown(menu, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(screen.getByTestId('add-to-report-new'));
    await fireEvent.keyDown(menu, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(monthly);
    await fireEvent.click(monthly);
    const paths = { dataset: 'shop', from: { event: 'view_item' } };
    expect(app.view).toMatchObject({ kind: 'report', name: 'Monthly' });

    openReportScreen();
    expect(kinds()).toEqual(['text', 'paths']);
    const heading = (screen.getByLabelText('Section 2 heading') as HTMLInputElement).value;
    const screenHeading = api.run<{ shown: { heading: string } }>('paths', paths, ['--json']).shown.heading;
    expect(screenHeading).toContain('Where users went after view_item');
    expect(heading).toBe(screenHeading); // the heading the screen's chart has (the engine's)
    expect(screen.getByTestId('report-section-summary').textContent).toBe('shop · from event “view_item” · next, 3 levels · top 8 per level by event');
    expect(app.unsaved?.dirty()).toBe(true);
    // reorder and remove as any section
    await fireEvent.click(screen.getByLabelText('Move section 2 up'));
    expect(kinds()).toEqual(['paths', 'text']);

    // Save from the leave prompt, then the Value tab adds to the same report
    app.newReport();
    expect(app.leavePrompt?.what).toBe('report “Monthly”');
    await app.leavePrompt!.answer('save');
    await waitFor(() => expect(app.reports.find((r) => r.name === 'Monthly')?.spec.sections.map((s) => Object.keys(s).sort())).toEqual([['heading', 'paths'], ['heading', 'text']]));
    expect(app.reports.find((r) => r.name === 'Monthly')!.spec.sections[0]).toEqual({ heading, paths });

    cleanup();
    const funnel = { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'add_to_cart' }, { event: 'purchase' }] };
    const draft = emptyValueDraft(api.dataset.columns);
    render(ValuePanel, { props: { funnel, labels: ['view_item', 'add_to_cart', 'purchase'], columns: api.dataset.columns, draft, width: 900, name: 'Checkout' } });
    await waitFor(() => expect(screen.getByTestId('value-table')).toBeTruthy(), { timeout: 30_000 });
    await waitFor(() => expect((screen.getByTestId('add-to-report') as HTMLButtonElement).disabled).toBe(false));
    await fireEvent.click(screen.getByTestId('add-to-report'));
    await fireEvent.click(within(screen.getByTestId('add-to-report-menu')).getByText('Monthly'));
    const value = { ...funnel, value: { column: 'value' } };
    openReportScreen();
    expect(kinds()).toEqual(['paths', 'text', 'value']);
    expect((screen.getByLabelText('Section 3 heading') as HTMLInputElement).value).toBe('Checkout: what each step is worth');
    await fireEvent.click(screen.getByTestId('save-report'));
    await waitFor(() => expect(app.reports.find((r) => r.name === 'Monthly')?.spec.sections).toHaveLength(3));
    const saved: ReportSpec = app.reports.find((r) => r.name === 'Monthly')!.spec;
    expect(saved.sections[2]).toEqual({ heading: 'Checkout: what each step is worth', value });

    // the saved report runs: the start count of the paths and the value per step are the CLI's
    const csv = reportCsv(api, saved);
    const p = api.run<PathsResult>('paths', paths, ['--json']);
    expect(csv).toContain(`,${p.units}`);
    const v = api.run<ValueResult>('value', value, ['--json']);
    for (const st of v.steps) expect(csv).toContain(`,${st.count},`);
  });

});

describe('the pending section', () => {
  it('Cancel at the leave prompt drops the section: no later report screen picks it up', () => {
    app.unsaved = { what: () => 'funnel “x”', dirty: () => true, save: async () => true };
    app.addToReport({ heading: 'Weekly retention', retention: { dataset: 'shop', cohort: 'first_seen', return: 'any', interval: 'week' } }, null);
    expect(app.view.kind).toBe('home');
    void app.leavePrompt!.answer('cancel');
    app.unsaved = null;
    app.newReport();
    const v = app.view;
    expect(v.kind).toBe('report');
    expect(app.takePendingSection(v.kind === 'report' ? v.key : -1)).toBeNull();
  });
});
