// The report builder against the real engine: the preview shows the engine's
// numbers, the saved report is the engine's ReportSpec (`stepwise report`
// runs it) and the export is the engine's PDF.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ReportView from './ReportView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { queueSavePath } from '../lib/dialog';
import { engineApi, engineReady } from '../test/engineApi';
import { dataset, fakeApi } from '../test/fakeApi';
import type { ReportSpec } from '../lib/types';

afterEach(() => {
  cleanup();
  app.funnels = [];
  app.compares = [];
  app.reports = [];
});

describe.skipIf(!engineReady)('the report builder', () => {
  it('assembles saved analyses and findings, previews, saves the engine spec and exports the PDF', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset, api.metrics];
    const funnel = { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'purchase' }] };
    app.funnels = [{ kind: 'funnel', name: 'Checkout', updated_at: '', spec: funnel }];
    app.compares = [{ kind: 'compare', name: 'By device', updated_at: '', spec: { funnel, by: 'device_category' } }];
    render(ReportView, { props: { name: null } });

    expect((screen.getByTestId('save-report') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByLabelText('Report title'), { target: { value: 'September review' } });
    const add = screen.getByTestId('report-add-funnel');
    await fireEvent.change(add, { target: { value: 'funnel:Checkout' } });
    await fireEvent.change(add, { target: { value: 'compare:By device' } });
    await fireEvent.change(add, { target: { value: 'trend:Checkout' } });
    await fireEvent.input(screen.getByLabelText('Section 1 findings'), { target: { value: 'Most viewers never buy.' } });
    await fireEvent.click(screen.getByText('+ Text'));
    await fireEvent.input(screen.getByLabelText('Section 4 text'), { target: { value: 'Mobile checkout leaks most.' } });
    await fireEvent.click(screen.getByLabelText('Move section 4 up'));
    await fireEvent.change(add, { target: { value: 'metric:pages' } });
    await fireEvent.change(screen.getByLabelText('Section 5 sum of'), { target: { value: 'Users' } });

    const kinds = () => screen.getAllByTestId('report-section').map((e) => e.dataset.kind);
    expect(kinds()).toEqual(['funnel', 'compare', 'text', 'trend', 'metric']);

    // Remove, undo; Alt+Down on a section moves it, Alt+Up moves it back.
    await fireEvent.click(screen.getByLabelText('Remove section 2'));
    expect(kinds()).toEqual(['funnel', 'text', 'trend', 'metric']);
    await fireEvent.click(screen.getByTestId('report-undo-remove'));
    expect(kinds()).toEqual(['funnel', 'compare', 'text', 'trend', 'metric']);
    await fireEvent.keyDown(screen.getAllByTestId('report-section')[0], { key: 'ArrowDown', altKey: true });
    expect(kinds()).toEqual(['compare', 'funnel', 'text', 'trend', 'metric']);
    await fireEvent.keyDown(screen.getAllByTestId('report-section')[1], { key: 'ArrowUp', altKey: true });
    expect(kinds()).toEqual(['funnel', 'compare', 'text', 'trend', 'metric']);

    // The preview is the engine's pages of exactly the spec that is saved and exported.
    const preview = screen.getByTestId('report-preview');
    await waitFor(() => expect(within(preview).getAllByTestId('report-page').length).toBeGreaterThan(1), { timeout: 30_000 });
    await waitFor(() => expect(within(preview).queryByTestId('report-building')).toBeNull(), { timeout: 30_000 });
    const built = vi.mocked(api.reportPages).mock.calls.at(-1)![0];
    const pages = within(preview).getAllByTestId('report-page');
    await fireEvent.click(pages[0]);
    const viewer = screen.getByTestId('report-page-viewer');
    expect(viewer.getAttribute('aria-label')).toBe(`Page 1 of ${pages.length}`);
    await fireEvent.keyDown(window, { key: 'ArrowRight' });
    expect(screen.getByTestId('report-page-viewer').getAttribute('aria-label')).toBe(`Page 2 of ${pages.length}`);
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(screen.queryByTestId('report-page-viewer')).toBeNull();

    await fireEvent.click(screen.getByTestId('save-report'));
    await waitFor(() => expect(app.reports.map((r) => r.name)).toEqual(['September review']));
    const saved: ReportSpec = app.reports[0].spec;
    expect(built).toEqual(saved);
    expect(saved.sections).toEqual([
      { heading: 'Checkout', intro: 'Most viewers never buy.', funnel },
      { heading: 'By device', compare: { funnel, by: 'device_category' } },
      { heading: 'Findings', text: 'Mobile checkout leaks most.' },
      { heading: 'Checkout: conversion over time', trend: funnel },
      { metric: { dataset: 'pages', dimension: 'Page path', metric: 'Users' } },
    ]);

    // What the app saved, `stepwise report` runs; the app's export is the engine's PDF.
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-report-'));
    api.run('report', saved, ['--out', join(dir, 'cli.pdf')]);
    expect(readFileSync(join(dir, 'cli.pdf')).subarray(0, 4).toString()).toBe('%PDF');
    queueSavePath(join(dir, 'app.pdf'));
    await fireEvent.click(screen.getByTestId('export-pdf'));
    await waitFor(() => expect(api.exportReport).toHaveBeenCalled());
    await waitFor(() => expect(app.notices.map((n) => n.message)).toContain(`Exported ${join(dir, 'app.pdf')}.`), { timeout: 20_000 });
    expect(vi.mocked(api.exportReport).mock.calls[0][0]).toEqual(saved);
    expect(readFileSync(join(dir, 'app.pdf')).subarray(0, 4).toString()).toBe('%PDF');
  });
});

describe('the report export notice', () => {
  it('the notice after a PNG or CSV export names the files written, not the name typed', async () => {
    const api = fakeApi([dataset('shop', 100)]);
    setApi(api);
    app.datasets = api.datasets.slice();
    app.notices = [];
    render(ReportView, { props: { name: null } });
    await fireEvent.input(screen.getByLabelText('Report title'), { target: { value: 'Review' } });
    await fireEvent.click(screen.getByText('+ Text'));
    await fireEvent.input(screen.getByLabelText('Section 1 text'), { target: { value: 'Findings.' } });

    api.exportReport = vi.fn(async () => ['/out/Review-01.png', '/out/Review-02.png']);
    await fireEvent.click(screen.getByText('PNG…'));
    await waitFor(() => expect(app.notices.at(-1)?.message).toContain('Review-01.png'));
    const png = app.notices.at(-1)!.message;
    expect(png).toContain('Review-02.png');
    expect(png).toContain('2 files');
    expect(png).not.toContain('Review.png');

    api.exportReport = vi.fn(async () => ['/out/01-findings.csv']);
    await fireEvent.click(screen.getByText('CSV…'));
    await waitFor(() => expect(app.notices.at(-1)?.message).toBe('Exported /out/01-findings.csv.'));
  });
});
