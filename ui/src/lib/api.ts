// The one typed door to the Rust side. Every Tauri command goes through here,
// so tests (and the `?mock` dev mode) can swap the implementation with setApi().

import { Channel, invoke } from '@tauri-apps/api/core';
import type {
  DatasetInfo,
  ErrorInfo,
  FunnelResult,
  FunnelSpec,
  ImportEvent,
  ItemKind,
  PreviewPage,
  SavedItem,
  SegmentCount,
  SegmentSpec,
  ValueCount,
  WorkspaceInfo,
} from './types';

export interface Api {
  listDatasets(): Promise<DatasetInfo[]>;
  importFiles(paths: string[], onEvent: (e: ImportEvent) => void): Promise<DatasetInfo[]>;
  cancelImport(): Promise<void>;
  deleteDataset(name: string): Promise<void>;
  renameDataset(from: string, to: string): Promise<void>;
  workspaceInfo(): Promise<WorkspaceInfo>;
  previewRows(name: string, offset: number, limit: number): Promise<PreviewPage>;
  runFunnel(spec: FunnelSpec): Promise<FunnelResult>;
  datasetValues(name: string, column: string, limit: number): Promise<ValueCount[]>;
  saveItem(kind: ItemKind, name: string, spec: unknown): Promise<void>;
  listItems<T = unknown>(kind: ItemKind): Promise<SavedItem<T>[]>;
  countSegment(spec: SegmentSpec): Promise<SegmentCount>;
}

export const tauriApi: Api = {
  listDatasets: () => invoke('list_datasets'),
  importFiles(paths, onEvent) {
    const onProgress = new Channel<ImportEvent>();
    onProgress.onmessage = onEvent;
    return invoke('import_files', { paths, onProgress });
  },
  cancelImport: () => invoke('cancel_import'),
  deleteDataset: (name) => invoke('delete_dataset', { name }),
  renameDataset: (from, to) => invoke('rename_dataset', { from, to }),
  workspaceInfo: () => invoke('workspace_info'),
  previewRows: (name, offset, limit) => invoke('preview_rows', { name, offset, limit }),
  runFunnel: (spec) => invoke('run_funnel', { spec }),
  datasetValues: (name, column, limit) => invoke('dataset_values', { name, column, limit }),
  saveItem: (kind, name, spec) => invoke('save_item', { kind, name, spec }),
  listItems: (kind) => invoke('list_items', { kind }),
  countSegment: (spec) => invoke('count_segment', { spec }),
};

/** The implementation in use; a live binding, replaced by setApi(). */
export let api: Api = tauriApi;

export function setApi(next: Api): void {
  api = next;
}

/** Whatever a command rejected with, as {code, message}. */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e && typeof e === 'object' && 'message' in e) {
    const o = e as { code?: unknown; message: unknown };
    return {
      code: typeof o.code === 'string' ? o.code : 'error',
      message: String(o.message),
    };
  }
  if (typeof e === 'string') return { code: 'error', message: e };
  return { code: 'error', message: 'Something went wrong, with no further detail.' };
}

/** True inside the Tauri webview (false in a plain browser and in tests). */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}
