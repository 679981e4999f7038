// A saved funnel says "Saved" only while the whole spec is as saved, and
// leaving unsaved edits asks first: Save, Discard or Cancel.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import App from '../App.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { dataset, fakeApi } from '../test/fakeApi';
import type { FunnelSpec } from '../lib/types';

const saved: FunnelSpec = {
  dataset: 'shop',
  steps: [{ event: 'view_item' }, { event: 'purchase' }],
  window: '7d',
} as FunnelSpec;

async function openSaved() {
  const api = fakeApi([dataset('shop', 1000)]);
  api.listItems = vi.fn(async (kind: string) =>
    kind === 'funnel' ? [{ kind: 'funnel', name: 'Checkout', spec: saved }] : [],
  ) as unknown as typeof api.listItems;
  setApi(api);
  render(App);
  await waitFor(() => expect(app.funnels).toHaveLength(1));
  app.newFunnel('shop', 'Checkout');
  const button = await screen.findByTestId('save-funnel');
  await waitFor(() => expect(button.textContent).toContain('Saved'));
  return { api, button };
}

afterEach(() => {
  cleanup();
  app.view = { kind: 'home' };
  app.leavePrompt = null;
  app.unsaved = null;
  app.datasets = [];
  app.funnels = [];
});

describe('unsaved funnel edits', () => {
  it('a changed window or breakdown makes a saved funnel unsaved again', async () => {
    const { button } = await openSaved();
    await fireEvent.input(screen.getByLabelText('Window length'), { target: { value: '3' } });
    await waitFor(() => expect(button.textContent).toContain('Save'));
    expect(button.textContent).not.toContain('Saved');
    await fireEvent.input(screen.getByLabelText('Window length'), { target: { value: '7' } });
    await waitFor(() => expect(button.textContent).toContain('Saved'));
    await fireEvent.change(screen.getByLabelText('Breakdown column'), { target: { value: 'device_category' } });
    await waitFor(() => expect(button.textContent).not.toContain('Saved'));
  });

  it('leaving unsaved edits asks: Cancel stays, Discard leaves, Save saves then leaves', async () => {
    const { api } = await openSaved();
    await fireEvent.input(screen.getByLabelText('Window length'), { target: { value: '3' } });

    app.newPersona();
    const dialog = await screen.findByTestId('leave-dialog');
    expect(dialog.textContent).toContain('Checkout');
    await fireEvent.click(screen.getByTestId('leave-cancel'));
    await waitFor(() => expect(screen.queryByTestId('leave-dialog')).toBeNull());
    expect(app.view.kind).toBe('funnel');
    expect((screen.getByLabelText('Window length') as HTMLInputElement).value).toBe('3');

    app.open({ kind: 'home' });
    await screen.findByTestId('leave-dialog');
    await fireEvent.click(screen.getByTestId('leave-save'));
    await waitFor(() => expect(app.view.kind).toBe('home'));
    const [kind, name, spec] = vi.mocked(api.saveItem).mock.calls[0];
    expect([kind, name]).toEqual(['funnel', 'Checkout']);
    expect((spec as FunnelSpec).window).toBe('3d');

    app.newFunnel('shop', 'Checkout');
    await fireEvent.input(await screen.findByLabelText('Window length'), { target: { value: '5' } });
    app.newPersona();
    await fireEvent.click(await screen.findByTestId('leave-discard'));
    await waitFor(() => expect(app.view.kind).toBe('persona'));
    expect(api.saveItem).toHaveBeenCalledTimes(1);
  });

  it('an unchanged saved funnel is left without a question', async () => {
    await openSaved();
    app.newPersona();
    await waitFor(() => expect(app.view.kind).toBe('persona'));
    expect(screen.queryByTestId('leave-dialog')).toBeNull();
  });
});
