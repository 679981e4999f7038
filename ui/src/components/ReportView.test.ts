import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import ReportView from './ReportView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { dataset, fakeApi } from '../test/fakeApi';
import type { FunnelSpec, ReportSpec } from '../lib/types';

afterEach(() => {
  cleanup();
  app.funnels = [];
  app.reports = [];
});

describe('the report builder', () => {
  it('assembles a saved funnel and findings, previews, saves and exports', async () => {
    const api = fakeApi([dataset('shop', 100)]);
    api.runFunnel = vi.fn(async (spec: FunnelSpec) => ({
      steps: spec.steps.map((s, k) => ({
        label: s.event ?? '',
        count: 1000 - 600 * k,
        conversion_from_start: (1000 - 600 * k) / 1000,
        conversion_from_previous: k ? 0.4 : 1,
        dropped: k ? 600 : 0,
        average_seconds: null,
        median_seconds: null,
      })),
    }));
    setApi(api);
    app.datasets = api.datasets.slice();
    app.funnels = [{ kind: 'funnel', name: 'Checkout', spec: { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'purchase' }] } }];
    render(ReportView, { props: { name: null } });

    expect((screen.getByTestId('save-report') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(screen.getByLabelText('Report title'), { target: { value: 'September review' } });
    await fireEvent.change(screen.getByTestId('report-add-funnel'), { target: { value: 'Checkout' } });
    await fireEvent.click(screen.getByText('+ Text'));
    await fireEvent.input(screen.getByLabelText('Section 2 text'), { target: { value: 'Mobile checkout loses 60%.' } });
    await fireEvent.click(screen.getByLabelText('Move section 2 up'));

    const preview = screen.getByTestId('report-preview');
    await waitFor(() => expect(within(preview).getByTestId('funnel-table').textContent).toContain('1,000'));
    const headings = [...preview.querySelectorAll('h2')].map((h) => h.textContent);
    expect(headings).toEqual(['Findings', 'Checkout']);

    await fireEvent.click(screen.getByTestId('save-report'));
    await waitFor(() => expect(api.saveItem).toHaveBeenCalled());
    const [kind, name, spec] = vi.mocked(api.saveItem).mock.calls[0];
    expect([kind, name]).toEqual(['report', 'September review']);
    expect((spec as ReportSpec).sections.map((s) => s.type)).toEqual(['text', 'funnel']);

    await fireEvent.click(screen.getByTestId('export-pdf'));
    await waitFor(() => expect(api.exportReport).toHaveBeenCalled());
    const [, path, format] = vi.mocked(api.exportReport).mock.calls[0];
    expect([path, format]).toEqual(['September review.pdf', 'pdf']);
  });

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
