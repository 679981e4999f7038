import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import App from './App.svelte';
import { setApi } from './lib/api';
import { app } from './lib/app.svelte';
import { dataset, fakeApi } from './test/fakeApi';

function reset() {
  app.view = { kind: 'home' };
  app.datasets = [];
  app.loaded = false;
  app.error = null;
  app.job = null;
  app.deletes.undo();
  app.deletes.undo();
}

afterEach(() => {
  cleanup();
  reset();
  vi.useRealTimers();
});

describe('the app shell', () => {
  it('shows the empty state with an import button when the workspace is empty', async () => {
    setApi(fakeApi([]));
    render(App);
    const empty = await screen.findByTestId('empty-state');
    expect(within(empty).getByTestId('import-button')).toBeTruthy();
    expect(screen.queryByTestId('dataset-list')).toBeNull();
  });

  it('lists datasets with names and formatted row counts', async () => {
    setApi(fakeApi([dataset('shop events', 12330), dataset('ga4 pages', 780928)]));
    render(App);
    const list = await screen.findByTestId('dataset-list');
    const items = within(list).getAllByTestId('dataset-item');
    expect(items.map((i) => within(i).getByTestId('dataset-name').textContent)).toEqual(['shop events', 'ga4 pages']);
    expect(items.map((i) => within(i).getByTestId('dataset-rows').textContent)).toEqual(['12,330', '780,928']);
    expect(screen.getByText('Client A')).toBeTruthy();
  });

  it('delete hides the row at once, Undo brings it back and nothing is deleted', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api = fakeApi([dataset('a', 10), dataset('b', 20)]);
    setApi(api);
    render(App);
    await vi.waitFor(() => expect(screen.getAllByTestId('dataset-name').map((e) => e.textContent)).toEqual(['a', 'b']));
    await fireEvent.click(screen.getByLabelText('Delete a'));
    expect(screen.getAllByTestId('dataset-item')).toHaveLength(1);
    const toast = screen.getByTestId('undo-toast');
    expect(toast.textContent).toContain('Deleted "a"');
    await fireEvent.click(within(toast).getByText('Undo'));
    expect(screen.getAllByTestId('dataset-item')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.deleteDataset).not.toHaveBeenCalled();
  });

  it('delete goes through after the undo delay', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api = fakeApi([dataset('a', 10), dataset('b', 20)]);
    setApi(api);
    render(App);
    await vi.waitFor(() => expect(screen.getAllByTestId('dataset-name').map((e) => e.textContent)).toEqual(['a', 'b']));
    await fireEvent.click(screen.getByLabelText('Delete b'));
    await vi.advanceTimersByTimeAsync(7_000);
    expect(api.deleteDataset).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1_500);
    expect(api.deleteDataset).toHaveBeenCalledWith('b');
    await vi.waitFor(() => expect(screen.queryByTestId('undo-toast')).toBeNull());
    expect(screen.getAllByTestId('dataset-item').map((e) => e.textContent)).toHaveLength(1);
  });

  it('window.stepwise.importPaths shows progress, can be cancelled, and lists the import', async () => {
    const api = fakeApi([dataset('a', 10)]);
    setApi(api);
    render(App);
    await screen.findByTestId('dataset-list');
    const done = window.stepwise!.importPaths(['/x/new.csv']);
    await tick();
    expect(screen.getByTestId('progress')).toBeTruthy();
    api.emit!({ file: '/x/new.csv', progress: { stage: 'reading', bytes_done: 50, bytes_total: 100, rows_done: 1234 } });
    await tick();
    expect(screen.getByTestId('progress').textContent).toContain('1,234 rows');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('50');
    api.finishImport!([dataset('new', 5000)]);
    await done;
    await tick();
    expect(screen.queryByTestId('progress')).toBeNull();
    // The new dataset opens; its name appears in the sidebar.
    expect(screen.getAllByText('new').length).toBeGreaterThan(0);
    expect(api.datasets.map((d) => d.name)).toEqual(['a', 'new']);

    // A second import, cancelled from the status bar: no error shown.
    const again = window.stepwise!.importPaths(['/x/big.csv']);
    await tick();
    await fireEvent.click(screen.getByTestId('cancel-import'));
    await again;
    await tick();
    expect(api.cancelImport).toHaveBeenCalled();
    expect(screen.queryByTestId('progress')).toBeNull();
    expect(screen.queryByTestId('error')).toBeNull();
  });

  it('shows an import error in words', async () => {
    const api = fakeApi([]);
    setApi(api);
    render(App);
    await screen.findByTestId('empty-state');
    const done = window.stepwise!.importPaths(['/x/broken.csv']);
    await tick();
    api.finishImport!({ code: 'bad_input', message: 'broken.csv, row 12, column "date": "31/02" is not a date.' });
    await done;
    await waitFor(() => expect(screen.getByTestId('error').textContent).toContain('row 12, column "date"'));
  });

  it('renames a dataset from its page', async () => {
    const api = fakeApi([dataset('a', 10)]);
    setApi(api);
    render(App);
    await fireEvent.click(await screen.findByTestId('dataset-name'));
    await fireEvent.click(screen.getByText('Rename'));
    const input = screen.getByLabelText('New name') as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'shop' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(api.renameDataset).toHaveBeenCalledWith('a', 'shop'));
    await waitFor(() => expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('shop'));
  });
});
