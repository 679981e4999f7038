import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, waitFor } from '@testing-library/svelte';
import DatasetView from './DatasetView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { dataset, fakeApi } from '../test/fakeApi';

afterEach(() => {
  cleanup();
  app.datasets = [];
});

describe('the dataset screen', () => {
  it('shows users, events and the period of an event table', async () => {
    const api = fakeApi([dataset('shop', 1000)]);
    api.datasetSummary = vi.fn(async () => ({
      users: 1758403,
      events: 10000000,
      rows_without_user_or_time: 0,
      first_event: '2024-09-01 00:00:01.457',
      last_event: '2024-10-01 00:04:49.282',
    }));
    setApi(api);
    app.datasets = api.datasets;
    render(DatasetView, { name: 'shop' });
    await waitFor(() => expect(screen.getByTestId('dataset-users').textContent).toBe('1,758,403'));
    expect(screen.getByTestId('dataset-events').textContent).toBe('10,000,000');
    expect(screen.getByTestId('dataset-period').textContent?.trim()).toBe('2024-09-01 to 2024-10-01');
    expect(api.datasetSummary).toHaveBeenCalledWith('shop');
  });

  it('shows no event figures for a metric table', async () => {
    const api = fakeApi([dataset('pages', 20)]);
    setApi(api);
    app.datasets = api.datasets;
    render(DatasetView, { name: 'pages' });
    await waitFor(() => expect(api.datasetSummary).toHaveBeenCalled());
    expect(screen.queryByTestId('dataset-users')).toBeNull();
  });
});
