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
    expect(screen.queryAllByTestId('dataset-item')).toHaveLength(0);
  });

  it('lists datasets with names and formatted row counts', async () => {
    setApi(fakeApi([dataset('shop events', 12330), dataset('ga4 pages', 780928)]));
    render(App);
    const list = screen.getByTestId('dataset-list');
    await waitFor(() => expect(within(list).getAllByTestId('dataset-item')).toHaveLength(2));
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
    await screen.findByTestId('home-dataset-table');
    const done = window.stepwise!.importPaths(['/x/new.csv']);
    // The shell is asked first whether the file has several sheets or tables.
    await waitFor(() => expect(api.importFiles).toHaveBeenCalledTimes(1));
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
    // The mapping screen opens, and the always-visible list has the dataset (what the e2e test reads).
    expect(screen.getByTestId('mapping-screen')).toBeTruthy();
    const items = screen.getAllByTestId('dataset-item');
    expect(items.map((i) => within(i).getByTestId('dataset-name').textContent)).toEqual(['a', 'new']);
    expect(within(items[1]).getByTestId('dataset-rows').textContent).toBe('5,000');
    expect(api.datasets.map((d) => d.name)).toEqual(['a', 'new']);

    // A second import, cancelled from the status bar: no error shown.
    const again = window.stepwise!.importPaths(['/x/big.csv']);
    // The shell is asked first whether the file has several sheets or tables.
    await waitFor(() => expect(api.importFiles).toHaveBeenCalledTimes(2));
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
    // The shell is asked first whether the file has several sheets or tables.
    await waitFor(() => expect(api.importFiles).toHaveBeenCalledTimes(1));
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

  it('a screen that fails shows a readable message, not a blank window, and recovers', async () => {
    // A malformed dataset (no column list) makes the dataset list throw while rendering.
    const broken = { ...dataset('odd', 5), columns: null as unknown as [] };
    const api = fakeApi([broken, dataset('fine', 7)]);
    setApi(api);
    render(App);
    const crash = await screen.findByTestId('error');
    expect(crash.textContent).toContain('This screen stopped working');
    // The rest of the shell is still there.
    expect(screen.getByText('Client A')).toBeTruthy();
    expect(screen.getByText('Funnels')).toBeTruthy();
    // Once the data is sound again, Try again brings the screen back.
    api.datasets = [dataset('odd', 5), dataset('fine', 7)];
    await app.refreshDatasets();
    await fireEvent.click(within(crash).getByText('Try again'));
    await waitFor(() => expect(screen.getAllByTestId('dataset-item')).toHaveLength(2));
    expect(screen.queryByTestId('error')).toBeNull();
  });

  it('after an import, the mapping screen shows roles and re-reads the file with changes', async () => {
    const api = fakeApi([]);
    setApi(api);
    render(App);
    await screen.findByTestId('empty-state');
    const done = window.stepwise!.importPaths(['/x/ga4.csv']);
    // The shell is asked first whether the file has several sheets or tables.
    await waitFor(() => expect(api.importFiles).toHaveBeenCalledTimes(1));
    await tick();
    api.finishImport!([dataset('ga4', 12330)]);
    await done;
    const screenEl = await screen.findByTestId('mapping-screen');
    const roleOf = (col: string) =>
      (within(screenEl).getByLabelText(`Role of ${col}`) as HTMLSelectElement).value;
    expect(roleOf('user_id')).toBe('user');
    expect(roleOf('event_time')).toBe('time');
    expect(roleOf('device_category')).toBe('dimension');
    expect((screen.getByTestId('mapping-apply') as HTMLButtonElement).disabled).toBe(true);

    await fireEvent.change(within(screenEl).getByLabelText('Role of device_category'), { target: { value: '' } });
    await fireEvent.click(screen.getByTestId('mapping-apply'));
    await waitFor(() => expect(api.reimportDataset).toHaveBeenCalled());
    expect(vi.mocked(api.reimportDataset).mock.calls[0]).toEqual([
      'ga4',
      {
        map: [
          ['user', 'user_id'],
          ['time', 'event_time'],
          ['event', 'event_name'],
          ['page', 'page_path'],
        ],
        types: [],
      },
    ]);
    await waitFor(() => expect((screen.getByTestId('mapping-apply') as HTMLButtonElement).disabled).toBe(true));
    expect(roleOf('device_category')).toBe('');
    await fireEvent.click(screen.getByTestId('mapping-done'));
    await waitFor(() => expect(screen.getByTestId('preview-grid')).toBeTruthy());
  });

  it('a saved funnel can be deleted from the sidebar and brought back with Ctrl+Z', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const api = fakeApi([dataset('shop', 10)]);
    const item = { kind: 'funnel' as const, name: 'Checkout', updated_at: '', spec: { dataset: 'shop', steps: [{ event: 'a' }] } };
    api.listItems = vi.fn(async (kind: string) => (kind === 'funnel' ? [item] : [])) as unknown as typeof api.listItems;
    setApi(api);
    render(App);
    const del = await screen.findByLabelText('Delete funnel Checkout');
    await fireEvent.click(del);
    expect(screen.queryByLabelText('Delete funnel Checkout')).toBeNull();
    expect(screen.getByTestId('undo-toast').textContent).toContain('Deleted funnel "Checkout"');
    await fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    expect(screen.getByLabelText('Delete funnel Checkout')).toBeTruthy();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.deleteItem).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByLabelText('Delete funnel Checkout'));
    await vi.advanceTimersByTimeAsync(8_500);
    expect(api.deleteItem).toHaveBeenCalledWith('funnel', 'Checkout');
  });
});
