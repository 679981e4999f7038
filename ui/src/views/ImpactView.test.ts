// The impact screen against the real engine: the rows are the engine's
// ranking of the spec the screen built, every cell the text the engine
// formatted (`shown`, the report's table), with the engine's verdicts and notes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import ImpactView from './ImpactView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { cli, engineApi, engineReady } from '../test/engineApi';
import { execFileSync } from 'node:child_process';
import type { Charted, ImpactResult } from '../lib/types';

afterEach(() => {
  cleanup();
  app.datasets = [];
});

/** The text of every cell of the screen's impact rows. */
const cells = () =>
  screen.getAllByTestId('impact-row').map((r) => Array.from((r as HTMLTableRowElement).cells).map((c) => c.textContent?.trim()));

describe.skipIf(!engineReady)('the impact screen', () => {
  it('guesses the goal, shows the engine ranking as the engine prints it, and says it is association', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    render(ImpactView);
    await fireEvent.input(screen.getByLabelText('Average order value'), { target: { value: '85' } });
    const spec = { dataset: 'shop', goal: { event: 'purchase' }, candidates: 'auto', window: '30d', order_value: 85 };
    const want = api.run<Charted<ImpactResult>>('impact', spec, ['--json']);
    expect(want.candidates.length).toBeGreaterThan(3);
    await waitFor(() => expect(screen.getAllByTestId('impact-row')).toHaveLength(want.candidates.length));
    expect(vi.mocked(api.impact).mock.calls.at(-1)?.[0]).toEqual(spec);
    // every cell is the engine's text, in the engine's columns (value per action, with an order value)
    expect(cells()).toEqual(want.shown.table.rows.map((r) => r.map((c) => c.text)));
    const heads = Array.from(screen.getByTestId('impact-table').querySelectorAll('th')).map((th) => th.textContent?.trim());
    expect(heads).toEqual(want.shown.table.columns.map((c) => c.name));
    expect(heads).toContain('Value per action');
    expect(heads).toContain('p (Holm)');
    // the verdict of each row is the engine's
    const verdicts = want.shown.table.rows.map((r) => r[heads.indexOf('Verdict')].text);
    expect(screen.getAllByTestId('impact-verdict').map((v) => v.textContent)).toEqual(verdicts);
    expect(screen.getAllByTestId('impact-row').map((r) => r.getAttribute('data-verdict'))).toEqual(verdicts.map((v) => v.replace(/ /g, '_')));
    // the engine's notes: association, not cause; Holm-adjusted p-values decide
    const notes = screen.getByTestId('impact-notes').textContent ?? '';
    expect(notes).toContain(want.shown.notes[0]);
    expect(notes).toContain('Holm-adjusted p-values decide significance');

    // Saved as the engine's impact spec: listed back, and the engine runs it to the same ranking.
    app.impacts = [];
    await fireEvent.input(screen.getByLabelText('Impact analysis name'), { target: { value: 'Before buying' } });
    await fireEvent.click(screen.getByTestId('save-impact'));
    await waitFor(() => expect(app.impacts.map((i) => i.name)).toEqual(['Before buying']));
    expect(app.impacts[0].kind).toBe('impact');
    const again = api.run<ImpactResult>('impact', app.impacts[0].spec, ['--json']);
    expect(again.candidates.map((c) => c.label)).toEqual(want.candidates.map((c) => c.label));
  });

  it('shows the steps every buyer took first under their own heading, marked as the engine marks them', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    render(ImpactView);
    await fireEvent.input(screen.getByLabelText('Goal'), { target: { value: 'purchase' } });
    await fireEvent.input(screen.getByPlaceholderText('all events and pages before the goal'), {
      target: { value: 'use_filter, add_to_cart, begin_checkout' },
    });
    await waitFor(() => expect(screen.getAllByTestId('impact-row')).toHaveLength(3));
    const spec = {
      dataset: 'shop',
      goal: { event: 'purchase' },
      candidates: [{ event: 'use_filter' }, { event: 'add_to_cart' }, { event: 'begin_checkout' }],
      window: '30d',
    };
    const want = api.run<Charted<ImpactResult>>('impact', spec, ['--json']);
    const required = want.candidates.filter((c) => c.required).map((c) => c.label);
    expect(required.length).toBeGreaterThan(0);
    const headings = screen.getAllByTestId('impact-required-heading');
    expect(headings).toHaveLength(1);
    expect(headings[0].textContent).toContain('every user who reached “purchase” did these first');
    const rows = screen.getAllByTestId('impact-row');
    const first = want.candidates.findIndex((c) => c.required);
    // the heading stands just before the first required step
    expect(headings[0].compareDocumentPosition(rows[first]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    if (first > 0) expect(rows[first - 1].compareDocumentPosition(headings[0]) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const marked = screen.getAllByTestId('impact-required');
    expect(marked).toHaveLength(required.length);
    expect(marked.map((m) => m.textContent)).toEqual(required.map(() => 'required'));
    expect(cells()).toEqual(want.shown.table.rows.map((r) => r.map((c) => c.text)));
  });

  it('sends the confidence level chosen and shows the intervals the engine computes at it', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    render(ImpactView);
    await fireEvent.input(screen.getByLabelText('Goal'), { target: { value: 'purchase' } });
    await fireEvent.input(screen.getByPlaceholderText('all events and pages before the goal'), {
      target: { value: 'use_filter, sign_up_newsletter' },
    });
    await waitFor(() => expect(screen.getAllByTestId('impact-row')).toHaveLength(2));
    const heads = () => Array.from(screen.getByTestId('impact-table').querySelectorAll('th')).map((th) => th.textContent?.trim());
    expect(heads()).toContain('95% low');
    const at95 = cells();
    await fireEvent.click(screen.getByLabelText('99%'));
    await waitFor(() => expect(heads()).toContain('99% low'));
    const sent = vi.mocked(api.impact).mock.calls.at(-1)![0];
    expect(sent.confidence).toBe(0.99);
    const want = api.run<Charted<ImpactResult>>('impact', sent, ['--json']);
    await waitFor(() => expect(cells()).toEqual(want.shown.table.rows.map((r) => r.map((c) => c.text))));
    // a wider interval at 99%: the low bound's text changed
    const low = heads().indexOf('99% low');
    expect(cells().map((r) => r[low])).not.toEqual(at95.map((r) => r[low]));
  });

  it('suggests micro conversions, confirms them as tags the engine stores, and ranks only the tagged ones', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    render(ImpactView);
    const spec = { dataset: 'shop', goal: { event: 'purchase' }, candidates: 'auto', window: '30d' };
    const want = api.run<ImpactResult>('impact', spec, ['--json']);
    expect(want.suggested_micro.length).toBeGreaterThan(0);
    // the engine's suggestions, each with a Confirm button
    await waitFor(() => expect(screen.getAllByTestId('confirm-micro')).toHaveLength(want.suggested_micro.length));
    expect(screen.getByTestId('impact-suggested').textContent).toContain(want.suggested_micro[0]);
    expect(screen.getByTestId('impact-micro-only')).toHaveProperty('disabled', true);
    // confirm the first: stored by the engine, listed, and no longer suggested
    const first = want.suggested_micro[0];
    await fireEvent.click(screen.getAllByTestId('confirm-micro')[0]);
    await waitFor(() => expect(screen.getAllByTestId('event-tag').map((t) => t.textContent?.replace('×', '').trim())).toEqual([`micro ${first}`]));
    const stored = JSON.parse(execFileSync(cli, ['--workspace', api.workspace, 'tag', 'shop', '--json'], { encoding: 'utf8' }));
    expect(stored).toEqual([{ event: first, tag: 'micro' }]);
    await waitFor(() => expect(screen.queryAllByTestId('confirm-micro')).toHaveLength(want.suggested_micro.length - 1));
    // only the micro conversions: the spec says "micro" and the rows are the tagged events
    await fireEvent.click(screen.getByTestId('impact-micro-only'));
    await waitFor(() => expect(vi.mocked(api.impact).mock.calls.at(-1)?.[0]).toMatchObject({ candidates: 'micro' }));
    await waitFor(() => expect(screen.getAllByTestId('impact-row')).toHaveLength(1));
    expect(cells()[0][0]).toBe(first);
    // remove the tag again
    await fireEvent.click(screen.getByLabelText(`Remove the tag of ${first}`));
    await waitFor(() => expect(screen.queryAllByTestId('event-tag')).toHaveLength(0));
  });
});
