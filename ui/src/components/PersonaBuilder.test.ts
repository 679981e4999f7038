import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import PersonaBuilder from './PersonaBuilder.svelte';
import App from '../App.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { dataset, fakeApi } from '../test/fakeApi';
import type { SegmentSpec } from '../lib/types';

afterEach(() => {
  cleanup();
  app.datasets = [];
});

describe('the persona builder', () => {
  it('counts members live from the conditions and saves the segment', async () => {
    const api = fakeApi([dataset('shop', 1000)]);
    // The fake engine: 4,000 users, halved by each condition.
    api.countSegment = vi.fn(async (s: SegmentSpec) => ({ members: 4000 / 2 ** s.conditions.length, sample: ['u1', 'u2'] }));
    setApi(api);
    app.datasets = api.datasets.slice();
    app.segments = [];
    render(PersonaBuilder, { props: { name: null } });

    expect(screen.getByTestId('segment-count').textContent).toContain('Add a first condition');
    await fireEvent.click(screen.getByText('+ Behaviour'));
    await fireEvent.input(screen.getByLabelText('Target'), { target: { value: 'use_filter' } });
    await waitFor(() => expect(screen.getByTestId('segment-count').textContent).toContain('2,000'));

    await fireEvent.click(screen.getAllByText('+ Group')[0]);
    const nested = screen.getAllByTestId('condition-group')[1];
    await fireEvent.click(within(nested).getByText('+ Property'));
    expect(screen.getByTestId('segment-count').textContent).toContain('Condition 2.1 has no column');
    await fireEvent.change(within(nested).getByLabelText('Column'), { target: { value: 'device_category' } });
    await fireEvent.input(within(nested).getByLabelText('Value'), { target: { value: 'mobile' } });
    await waitFor(() => expect(screen.getByTestId('segment-count').textContent).toContain('1,000'));
    const sent = vi.mocked(api.countSegment).mock.calls.at(-1)![0];
    expect(sent.conditions).toEqual([
      { did: { event: 'use_filter' }, at_least: 1 },
      { match: 'any', conditions: [{ column: 'device_category', op: 'eq', value: 'mobile', value_of: 'ever' }] },
    ]);

    await fireEvent.input(screen.getByLabelText('Persona name'), { target: { value: 'Filter users' } });
    await fireEvent.click(screen.getByTestId('save-persona'));
    await waitFor(() => expect(api.saveItem).toHaveBeenCalled());
    expect(vi.mocked(api.saveItem).mock.calls[0].slice(0, 2)).toEqual(['segment', 'Filter users']);
  });

  it('"+ Value" with a number counts instead of crashing the screen', async () => {
    const api = fakeApi([dataset('shop', 1000)]);
    api.countSegment = vi.fn(async () => ({ members: 120, sample: [] }));
    setApi(api);
    app.datasets = api.datasets.slice();
    app.segments = [];
    render(PersonaBuilder, { props: { name: null } });
    await fireEvent.click(screen.getByText('+ Value'));
    const input = screen.getByLabelText('Value') as HTMLInputElement;
    expect(input.type).toBe('number');
    await fireEvent.input(input, { target: { value: '100' } });
    await waitFor(() => expect(screen.getByTestId('segment-count').textContent).toContain('120'));
    const sent = vi.mocked(api.countSegment).mock.calls.at(-1)![0];
    expect(sent.conditions).toHaveLength(1);
    expect((sent.conditions[0] as unknown as { value: unknown }).value).toBe(100);
  });

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
