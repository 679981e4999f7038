// A scriptable stand-in for the Tauri commands, for component tests.
import { vi } from 'vitest';
import type { Api, FileTables } from '../lib/api';
import type { ColumnInfo, ColumnType, DatasetInfo, ImportEvent, ImportOverrides, Role } from '../lib/types';

export const COLUMNS: ColumnInfo[] = [
  { name: 'user_id', type: 'text', role: 'user' },
  { name: 'event_time', type: 'timestamp', role: 'time' },
  { name: 'event_name', type: 'text', role: 'event' },
  { name: 'page_path', type: 'text', role: 'page' },
  { name: 'device_category', type: 'text', role: 'dimension' },
];

export function dataset(name: string, rows: number): DatasetInfo {
  return {
    name,
    kind: 'events',
    rows,
    columns: COLUMNS,
    source: `/data/${name}.csv`,
    imported_at: '2026-11-25T10:00:00Z',
    stored_bytes: rows * 40,
  };
}

export interface FakeApi extends Api {
  datasets: DatasetInfo[];
  /** Resolves / rejects the running import. */
  finishImport?: (r: DatasetInfo[] | { code: string; message: string }) => void;
  emit?: (e: ImportEvent) => void;
}

/** An empty `shown` (a fake result has no table). */
const shown = { heading: '', table: { columns: [], rows: [] }, notes: [], findings: [] };

export function fakeApi(initial: DatasetInfo[]): FakeApi {
  const f: FakeApi = {
    datasets: initial.slice(),
    listDatasets: vi.fn(async () => f.datasets.slice()),
    workspaceInfo: vi.fn(async () => ({ path: '/home/a/Client A.stepwise', datasets: f.datasets.length })),
    importFiles: vi.fn(
      (paths: string[], onEvent: (e: ImportEvent) => void) =>
        new Promise<DatasetInfo[]>((resolve, reject) => {
          f.emit = onEvent;
          f.finishImport = (r) => {
            if (Array.isArray(r)) {
              f.datasets.push(...r);
              resolve(r);
            } else reject(r);
          };
          void paths;
        }),
    ),
    cancelImport: vi.fn(async () => f.finishImport?.({ code: 'cancelled', message: 'Cancelled.' })),
    cancelAnalyses: vi.fn(async () => 0),
    deleteDataset: vi.fn(async (name: string) => {
      f.datasets = f.datasets.filter((d) => d.name !== name);
    }),
    renameDataset: vi.fn(async (from: string, to: string) => {
      f.datasets = f.datasets.map((d) => (d.name === from ? { ...d, name: to } : d));
    }),
    previewRows: vi.fn(async (_n: string, offset: number, limit: number) => ({
      columns: COLUMNS,
      rows: Array.from({ length: limit }, (_, i) => [`u${offset + i}`, '2024-09-01T10:00:00Z', 'page_view', '/', null]),
      total: 1000,
    })),
    getClickhouse: vi.fn(async () => null),
    eventTags: vi.fn(async () => []),
    setEventTag: vi.fn(async () => {
      throw { code: 'unavailable', message: 'Event tags are not faked; test them with the engine.' };
    }),
    setClickhouse: vi.fn(async () => {
      throw { code: 'unavailable', message: 'ClickHouse connections are not faked; test them with the engine.' };
    }),
    runFunnel: vi.fn(async () => ({ steps: [], breakdown: [], trend: null, time_to_convert: null, unit: 'users', excluded: 0, warnings: [], shown })),
    datasetValues: vi.fn(async () => []),
    datasetSummary: vi.fn(async () => null),
    saveItem: vi.fn(async () => {}),
    listItems: vi.fn(async () => []),
    deleteItem: vi.fn(async () => true),
    countSegment: vi.fn(async () => ({ name: '', unit: 'users', members: 0, total_units: 0, share: 0, sample: [] })),
    importSample: vi.fn(async () => {
      const d = dataset('sample store', 250000);
      f.datasets.push(d);
      return [d];
    }),
    exportReport: vi.fn(async (_spec: unknown, path: string) => [path]),
    reportPages: vi.fn(async () => []),
    reimportDataset: vi.fn(async (name: string, options: ImportOverrides): Promise<DatasetInfo> => {
      const i = f.datasets.findIndex((d) => d.name === name);
      const d = f.datasets[i];
      const roles = new Map<string, Role>(options.map.map(([r, c]) => [c, r]));
      const types = new Map<string, ColumnType>(options.types);
      const next = {
        ...d,
        columns: d.columns.map((c) => ({
          ...c,
          role: options.map.length ? (roles.get(c.name) ?? null) : c.role,
          type: types.get(c.name) ?? c.type,
        })),
      };
      f.datasets[i] = next;
      return next;
    }),
    impact: vi.fn(async () => ({
      goal: { event: 'purchase' },
      window: '30d',
      users: 0,
      goal_users: 0,
      goal_rate: 0,
      order_value: null,
      order_value_source: '',
      suggested_micro: [],
      candidates: [],
      note: '',
      warnings: [],
      shown,
    })),
    compare: vi.fn(async () => ({ baseline: '', unit: 'users', confidence: 0.95, segments: [], chi_square: null, bottleneck: null, warnings: [], shown })),
    funnelDropoff: vi.fn(async (_spec, step: number) => ({
      step,
      from_label: `step ${step}`,
      to_label: `step ${step + 1}`,
      unit: 'users',
      count: 0,
      header: ['user'],
      rows: [],
    })),
    exportDropoff: vi.fn(async () => 0),
    copyChart: vi.fn(async () => {}),
    saveChartPng: vi.fn(async () => {}),
    fileTables: vi.fn(async (): Promise<FileTables> => ({ kind: 'tables', tables: [] })),
    appendDataset: vi.fn(async (name: string) => f.datasets.find((d) => d.name === name)!),
    recentWorkspaces: vi.fn(async () => []),
    openWorkspace: vi.fn(async (path: string) => ({ path, datasets: f.datasets.length })),
    exportAudience: vi.fn(async () => 0),
    exportTable: vi.fn(async (_a, _s, path: string) => path),
    runValue: vi.fn(async () => {
      throw { code: 'unavailable', message: 'The value table is not faked; test it with the engine.' };
    }),
    exportWasted: vi.fn(async () => 0),
    runPaths: vi.fn(async () => {
      throw { code: 'unavailable', message: 'Paths are not faked; test them with the engine.' };
    }),
    runRetention: vi.fn(async () => {
      throw { code: 'unavailable', message: 'Retention is not faked; test it with the engine.' };
    }),
    exportPathNode: vi.fn(async () => 0),
    exportPathEdge: vi.fn(async () => 0),
    planSampleSize: vi.fn(async () => {
      throw { code: 'unavailable', message: 'The planner is not faked; test it with the engine.' };
    }),
    sampleRatioCheck: vi.fn(async () => {
      throw { code: 'unavailable', message: 'The sample-ratio check is not faked; test it with the engine.' };
    }),
  };
  return f;
}
