// The mapping screen: two columns set to "dimension" are both sent, and a
// re-read that does not keep one of them says so (REES46: category_code, brand).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import MappingView from './MappingView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { fakeApi } from '../test/fakeApi';
import type { ColumnInfo, DatasetInfo, ImportOverrides } from '../lib/types';

const COLUMNS: ColumnInfo[] = [
  { name: 'event_time', type: 'timestamp', role: 'time' },
  { name: 'event_type', type: 'text', role: 'event' },
  { name: 'category_code', type: 'text', role: null },
  { name: 'brand', type: 'text', role: null },
  { name: 'user_id', type: 'integer', role: 'user' },
];
const rees: DatasetInfo = {
  name: 'rees46',
  kind: 'events',
  rows: 14862,
  columns: COLUMNS,
  source: '/data/rees46.csv',
  imported_at: '2026-11-25T10:00:00Z',
  stored_bytes: 1,
};

/** A re-read that applies the overrides one role at a time (each clears the role elsewhere) or all. */
function reread(oneColumnPerRole: boolean) {
  return vi.fn(async (_name: string, o: ImportOverrides): Promise<DatasetInfo> => {
    const columns = COLUMNS.map((c) => ({ ...c, role: null as ColumnInfo['role'] }));
    for (const [role, col] of o.map) {
      if (oneColumnPerRole) for (const c of columns) if (c.role === role) c.role = null;
      columns.find((c) => c.name === col)!.role = role;
    }
    return { ...rees, columns };
  });
}

async function setTwoDimensions(oneColumnPerRole: boolean) {
  const api = fakeApi([rees]);
  api.reimportDataset = reread(oneColumnPerRole);
  setApi(api);
  app.datasets = [rees];
  app.mapping = [{ dataset: rees, report: null }];
  render(MappingView);
  await fireEvent.change(await screen.findByLabelText('Role of category_code'), { target: { value: 'dimension' } });
  await fireEvent.change(screen.getByLabelText('Role of brand'), { target: { value: 'dimension' } });
  await fireEvent.click(screen.getByTestId('mapping-apply'));
  await waitFor(() => expect(api.reimportDataset).toHaveBeenCalled());
  return api;
}

afterEach(() => {
  cleanup();
  app.mapping = [];
  app.datasets = [];
});

describe('the mapping screen with two dimensions', () => {
  it('sends both and shows both after Apply', async () => {
    const api = await setTwoDimensions(false);
    const sent = vi.mocked(api.reimportDataset).mock.calls[0][1];
    expect(sent.map).toEqual(
      expect.arrayContaining([
        ['dimension', 'category_code'],
        ['dimension', 'brand'],
      ]),
    );
    await waitFor(() => expect((screen.getByLabelText('Role of brand') as HTMLSelectElement).value).toBe('dimension'));
    expect((screen.getByLabelText('Role of category_code') as HTMLSelectElement).value).toBe('dimension');
    expect(screen.queryByTestId('mapping-lost')).toBeNull();
  });

  it('says so when the re-read keeps only the last', async () => {
    await setTwoDimensions(true);
    const lost = await screen.findByTestId('mapping-lost');
    expect(lost.textContent).toContain('category_code (dimension)');
  });
});
