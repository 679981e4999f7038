// The persona builder against the real engine: what the screen counts is what
// `stepwise segment` counts for the same persona written by hand in the
// engine's own words (docs/segments.md).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import PersonaBuilder from './PersonaBuilder.svelte';
import App from '../App.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { formatCount } from '../lib/format';
import { engineApi, engineReady } from '../test/engineApi';
import { dataset, fakeApi } from '../test/fakeApi';
import type { SegmentResult } from '../lib/types';

afterEach(() => {
  cleanup();
  app.datasets = [];
  app.segments = [];
});

describe.skipIf(!engineReady)('the persona builder', () => {
  it('exports the audience (the members the engine counts) as CSV through the save dialog', { timeout: 60_000 }, async () => {
    const { existsSync, mkdtempSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { queueSavePath } = await import('../lib/dialog');
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    render(PersonaBuilder, { props: { name: null } });
    await fireEvent.click(screen.getByText('+ Behaviour'));
    await fireEvent.input(screen.getByLabelText('Target'), { target: { value: 'add_to_cart' } });
    const members = api.run<SegmentResult>('segment', { name: 'x', dataset: 'shop', conditions: [{ did: { event: 'add_to_cart' }, at_least: 1 }] }, ['--json']).members;
    await waitFor(() => expect(screen.getByTestId('segment-count').textContent).toContain(formatCount(members)));
    const path = join(mkdtempSync(join(tmpdir(), 'stepwise-audience-')), 'carted.csv');
    app.notices = [];
    queueSavePath(path);
    await fireEvent.click(screen.getByTestId('export-audience'));
    await waitFor(() => expect(existsSync(path)).toBe(true));
    await waitFor(() => expect(app.notices.map((n) => n.message)).toContain(`Exported ${formatCount(members)} members to ${path}.`));
    // a header and one line per member
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines.length - 1).toBe(members);
    expect(vi.mocked(api.exportAudience).mock.calls[0][0]).toMatchObject({ dataset: 'shop', conditions: [{ did: { event: 'add_to_cart' } }] });
  });

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
  it('"+ Value" with a number counts what the engine counts instead of crashing the screen', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    app.segments = [];
    render(PersonaBuilder, { props: { name: null } });
    await fireEvent.click(screen.getByText('+ Value'));
    const input = screen.getByLabelText('Value') as HTMLInputElement;
    expect(input.type).toBe('number');
    await fireEvent.input(input, { target: { value: '100' } });
    const want = formatCount(
      api.run<SegmentResult>('segment', { name: 'x', dataset: 'shop', conditions: [{ measure: 'revenue', op: 'gte', value: 100 }] }, ['--json']).members,
    );
    await waitFor(() => expect(screen.getByTestId('segment-count').textContent).toContain(want));
    const sent = vi.mocked(api.countSegment).mock.calls.at(-1)![0];
    expect(sent.conditions).toEqual([{ measure: 'revenue', op: 'gte', value: 100 }]);
  });
});

describe('the persona builder, on a stand-in api', () => {
  it('"Try again" after a crash keeps the persona being edited', async () => {
    const api = fakeApi([dataset('shop', 1000), dataset('other', 50)]);
    setApi(api);
    render(App);
    await waitFor(() => expect(app.datasets).toHaveLength(2));
    app.newPersona();
    await fireEvent.input(await screen.findByLabelText('Persona name'), { target: { value: 'Big spenders' } });
    await fireEvent.click(screen.getByText('+ Behaviour'));
    await fireEvent.input(screen.getByLabelText('Target'), { target: { value: 'purchase' } });
    // Something on the screen fails: the crash screen replaces it.
    const spy = vi.spyOn(app, 'dataset').mockImplementation(() => {
      throw new Error('boom');
    });
    await fireEvent.change(screen.getAllByRole('combobox')[0], { target: { value: 'other' } });
    const crash = await screen.findByTestId('error');
    spy.mockRestore();
    await fireEvent.click(within(crash).getByText('Try again'));
    const title = (await screen.findByLabelText('Persona name')) as HTMLInputElement;
    expect(title.value).toBe('Big spenders');
    expect((screen.getByLabelText('Target') as HTMLInputElement).value).toBe('purchase');
    // A persona opened anew starts empty.
    app.newPersona();
    await waitFor(() => expect((screen.getByLabelText('Persona name') as HTMLInputElement).value).toBe(''));
    app.view = { kind: 'home' };
  });

  it('an engine refusal shows a sentence, not the raw Tauri error', async () => {
    const api = fakeApi([dataset('shop', 1000)]);
    api.countSegment = vi.fn(async () => {
      throw 'invalid args `spec` for command `count_segment`: missing field `measure`';
    });
    setApi(api);
    app.datasets = api.datasets.slice();
    render(PersonaBuilder, { props: { name: null } });
    await fireEvent.click(screen.getByText('+ Behaviour'));
    await fireEvent.input(screen.getByLabelText('Target'), { target: { value: 'purchase' } });
    await waitFor(() => expect(screen.getByTestId('segment-count').textContent).toContain('could not be counted'));
    const text = screen.getByTestId('segment-count').textContent!;
    expect(text).not.toMatch(/invalid args|count_segment/);
    expect(text).toContain('“measure”');
  });

  it('offers "visit page" disabled, with the reason, on a dataset with no page column', async () => {
    const api = fakeApi([{ ...dataset('nopage', 100), columns: dataset('x', 1).columns.filter((c) => c.role !== 'page') }]);
    setApi(api);
    app.datasets = api.datasets.slice();
    render(PersonaBuilder, { props: { name: null } });
    await fireEvent.click(screen.getByText('+ Behaviour'));
    const page = within(screen.getByLabelText('Kind')).getByText(/visit page/) as HTMLOptionElement;
    expect(page.disabled).toBe(true);
    expect(page.title).toContain('no page column');
    expect(page.textContent).toContain('no page column');
  });
});
