// The one typed door to the Rust side. Every Tauri command goes through here,
// so tests (and the `?mock` dev mode) can swap the implementation with setApi().

import { Channel, invoke } from '@tauri-apps/api/core';
import type { ReportSpec as EngineReportSpec } from './bindings/ReportSpec';
import type { ReportSpecSection as EngineReportSection } from './bindings/ReportSpecSection';
import type {
  CompareResult,
  CompareSpec,
  DatasetInfo,
  ErrorInfo,
  ExportFormat,
  ReportSpec,
  ImpactResult,
  ImpactSpec,
  ImportOverrides,
  ImportReport,
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
  /** One entry per file: the engine's ImportReport, or just the DatasetInfo. */
  importFiles(paths: string[], onEvent: (e: ImportEvent) => void): Promise<(DatasetInfo | ImportReport)[]>;
  /** Re-reads a dataset's source file with the analyst's role/type/time-zone overrides, replacing it. */
  reimportDataset(name: string, options: ImportOverrides): Promise<DatasetInfo | ImportReport>;
  cancelImport(): Promise<void>;
  deleteDataset(name: string): Promise<void>;
  renameDataset(from: string, to: string): Promise<void>;
  workspaceInfo(): Promise<WorkspaceInfo>;
  previewRows(name: string, offset: number, limit: number): Promise<PreviewPage>;
  runFunnel(spec: FunnelSpec): Promise<FunnelResult>;
  datasetValues(name: string, column: string, limit: number): Promise<ValueCount[]>;
  saveItem(kind: ItemKind, name: string, spec: unknown): Promise<void>;
  listItems<T = unknown>(kind: ItemKind): Promise<SavedItem<T>[]>;
  /** True when there was such an item. */
  deleteItem(kind: ItemKind, name: string): Promise<boolean>;
  countSegment(spec: SegmentSpec): Promise<SegmentCount>;
  compare(spec: CompareSpec): Promise<CompareResult>;
  impact(spec: ImpactSpec): Promise<ImpactResult>;
  /** Writes a report to `path` (chosen in the native save dialog). */
  exportReport(spec: ReportSpec, path: string, format: ExportFormat): Promise<void>;
  /** Imports the bundled sample store data (first run). */
  importSample(onEvent: (e: ImportEvent) => void): Promise<(DatasetInfo | ImportReport)[]>;
}

/** invoke, with a plain-words error when the page is not inside the desktop window. */
function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  if (!inTauri())
    return Promise.reject({
      code: 'no_shell',
      message:
        'This page was opened outside the Stepwise desktop window, so it cannot reach the workspace. Start the Stepwise app instead.',
    });
  return invoke<T>(cmd, args).catch((e: unknown) => {
    // Tauri rejects a command the shell does not register with this string.
    if (typeof e === 'string' && /^command \S+ not found$/.test(e))
      throw {
        code: 'unavailable',
        message: `This build of Stepwise cannot do that yet: its desktop shell has no "${cmd}" command.`,
      };
    throw e;
  });
}

export const tauriApi: Api = {
  listDatasets: () => call('list_datasets'),
  importFiles(paths, onEvent) {
    if (!inTauri()) return call('import_files');
    const onProgress = new Channel<ImportEvent>();
    onProgress.onmessage = onEvent;
    return call('import_files', { paths, onProgress });
  },
  cancelImport: () => call('cancel_import'),
  reimportDataset: (name, options) => call('reimport_dataset', { name, options }),
  deleteDataset: (name) => call('delete_dataset', { name }),
  renameDataset: (from, to) => call('rename_dataset', { from, to }),
  workspaceInfo: () => call('workspace_info'),
  previewRows: (name, offset, limit) => call('preview_rows', { name, offset, limit }),
  runFunnel: (spec) => call('run_funnel', { spec }),
  datasetValues: (name, column, limit) => call('dataset_values', { name, column, limit }),
  saveItem: (kind, name, spec) => call('save_item', { kind, name, spec }),
  listItems: (kind) => call('list_items', { kind }),
  deleteItem: (kind, name) => call('delete_item', { kind, name }),
  countSegment: (spec) => call('count_segment', { spec }),
  compare: (spec) => call('compare', { spec }),
  impact: (spec) => call('impact', { spec }),
  exportReport: (spec, path, format) => call('export_report', { spec: toEngineReport(spec), path, format }),
  importSample(onEvent) {
    if (!inTauri()) return call('import_sample');
    const onProgress = new Channel<ImportEvent>();
    onProgress.onmessage = onEvent;
    return call('import_sample', { onProgress });
  },
};

/**
 * The report builder's sections in the engine's report-spec shape
 * (crates/engine/src/report/build.rs): `{funnel}`, `{compare}` or `{text}`,
 * each with its heading; the analyst's findings text follows as a text block.
 */
export function toEngineReport(spec: ReportSpec): EngineReportSpec {
  const sections: EngineReportSection[] = [];
  for (const s of spec.sections) {
    if (s.type === 'text') {
      sections.push({ text: s.text, heading: s.title || undefined });
      continue;
    }
    const body = s.type === 'funnel' ? { funnel: s.spec } : { compare: s.spec };
    sections.push({ ...(body as EngineReportSection), heading: s.title || undefined });
    if (s.findings.trim()) sections.push({ text: s.findings });
  }
  return { title: spec.title, subtitle: spec.subtitle, page: 'A4', sections };
}

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
