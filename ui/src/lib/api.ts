// The one typed door to the Rust side. Every Tauri command goes through here,
// so tests (and the `?mock` dev mode) can swap the implementation with setApi().
// Specs and results are the engine's own types (./bindings via ./types).

import { Channel, invoke } from '@tauri-apps/api/core';
import type { ClickhouseConnection } from './bindings/ClickhouseConnection';
import type { EventTag } from './bindings/EventTag';
import type { TaggedEvent } from './bindings/TaggedEvent';
import type { AnalysisProgress } from './bindings/AnalysisProgress';
import { Work } from './work.svelte';
import type {
  CompareResult,
  CompareSpec,
  Charted,
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
  Preview,
  SavedItem,
  SegmentResult,
  SegmentSpec,
  SpecOfKind,
  TableSpecOf,
  PathsSpec,
  PathsShown,
  RetentionSpec,
  RetentionResult,
  PlanInput,
  SampleRatioCheck,
  PlannedTest,
  TableAnalysis,
  ValueCount,
  WorkspaceInfo,
} from './types';
import type { Dropoff } from './bindings/Dropoff';
import type { ErrorCode } from './bindings/ErrorCode';
import type { DatasetSummary } from './bindings/DatasetSummary';
import type { TableInfo } from './bindings/TableInfo';
import type { ValueSpec } from './bindings/ValueSpec';
import type { WastedAudience } from './bindings/WastedAudience';
import type { ValueView } from './value';

/** How the engine should draw the charts of a result for the app. */
export interface ChartView {
  theme: 'light' | 'dark';
  /** Width of the view in px (the SVG scales; this sets its proportions and type size). */
  width: number;
  /** Series colours by name (a persona's own), for comparisons; see seriesColours. */
  colours?: Record<string, string>;
}

/** The sheet or table to read from a file with several. */
export interface FileChoice {
  sheet?: string;
  table?: number;
}

/** A file's sheets (a workbook) or tables (a text file with several). */
export interface FileTables {
  kind: 'sheets' | 'tables';
  tables: TableInfo[];
}

export interface Api {
  listDatasets(): Promise<DatasetInfo[]>;
  /** One entry per file: the engine's ImportReport, or just the DatasetInfo. */
  importFiles(
    paths: string[],
    onEvent: (e: ImportEvent) => void,
    choices?: FileChoice[],
  ): Promise<(DatasetInfo | ImportReport)[]>;
  /** Re-reads a dataset's source file with the analyst's role/type/time-zone overrides, replacing it. */
  reimportDataset(name: string, options: ImportOverrides): Promise<DatasetInfo | ImportReport>;
  cancelImport(): Promise<void>;
  /** Stops every running analysis (each rejects with code "cancelled"); resolves with how many. */
  cancelAnalyses(): Promise<number>;
  deleteDataset(name: string): Promise<void>;
  renameDataset(from: string, to: string): Promise<void>;
  workspaceInfo(): Promise<WorkspaceInfo>;
  previewRows(name: string, offset: number, limit: number): Promise<Preview>;
  /** With `chart`, the result carries the engine's SVG charts (`svg`, `trend_svg`, `histogram_svg`). */
  /** Runs a funnel here, or with `engine` "clickhouse" on the dataset's stored ClickHouse connection (counts only). */
  runFunnel(spec: FunnelSpec, chart?: ChartView, title?: string, engine?: 'local' | 'clickhouse'): Promise<Charted<FunnelResult>>;
  /** The dataset's events tagged micro or macro conversions (docs/impact.md). */
  eventTags(dataset: string): Promise<TaggedEvent[]>;
  /** Tags an event micro or macro, or (null) removes its tag. */
  setEventTag(dataset: string, event: string, tag: EventTag | null): Promise<void>;
  /** The dataset's stored ClickHouse connection, or null. */
  getClickhouse(dataset: string): Promise<ClickhouseConnection | null>;
  /** Stores (checked first) or, with null, forgets the dataset's ClickHouse connection. */
  setClickhouse(dataset: string, connection: ClickhouseConnection | null): Promise<void>;
  /** Who reached step `step - 1` but not `step` (0-based, >= 1): the count and the first `limit` rows. */
  funnelDropoff(spec: FunnelSpec, step: number, limit: number): Promise<Dropoff>;
  /** Writes everyone who dropped at `step` as CSV to `path`; resolves with how many. */
  exportDropoff(spec: FunnelSpec, step: number, path: string): Promise<number>;
  /** Puts a chart (engine SVG) on the clipboard as an image at 2x. */
  copyChart(svg: string): Promise<void>;
  /** Saves a chart (engine SVG) as PNG at 2x. */
  saveChartPng(svg: string, path: string): Promise<void>;
  /** A file's sheets or tables, for the sheet picker. */
  fileTables(path: string): Promise<FileTables>;
  /** Appends a newer export to an existing dataset. */
  appendDataset(
    name: string,
    path: string,
    onEvent: (e: ImportEvent) => void,
    choice?: FileChoice,
  ): Promise<DatasetInfo | ImportReport>;
  /** Recently opened workspaces, most recent first. */
  recentWorkspaces(): Promise<string[]>;
  /** Switches the app to another workspace file (`create`: a new one). */
  openWorkspace(path: string, create: boolean): Promise<WorkspaceInfo>;
  datasetValues(name: string, column: string, limit: number): Promise<ValueCount[]>;
  /** Users, events and period of an event dataset; null for a metric table. */
  datasetSummary(name: string): Promise<DatasetSummary | null>;
  /** Stores `spec` as the engine's spec type of `kind` (the engine refuses one that does not parse as it). */
  saveItem<K extends ItemKind>(kind: K, name: string, spec: SpecOfKind[K]): Promise<void>;
  listItems<K extends ItemKind>(kind: K): Promise<SavedItem<K>[]>;
  /** True when there was such an item. */
  deleteItem(kind: ItemKind, name: string): Promise<boolean>;
  countSegment(spec: SegmentSpec): Promise<SegmentResult>;
  /** A comparison here, or with `engine` "clickhouse" counted on the funnel dataset's stored connection. */
  compare(spec: CompareSpec, chart?: ChartView, engine?: 'local' | 'clickhouse'): Promise<Charted<CompareResult>>;
  impact(spec: ImpactSpec, chart?: ChartView): Promise<Charted<ImpactResult>>;
  /**
   * Writes a report to `path` (chosen in the native save dialog); resolves with the files
   * written (PNG and CSV write one per page or table: `name-01.png`, ...).
   */
  exportReport(spec: ReportSpec, path: string, format: ExportFormat): Promise<string[]>;
  /** Builds a report on the current data as the export does; resolves with its pages as SVG, in order (the preview). */
  reportPages(spec: ReportSpec): Promise<string[]>;
  /** Imports the bundled sample store data (first run). */
  importSample(onEvent: (e: ImportEvent) => void): Promise<(DatasetInfo | ImportReport)[]>;
  /** Writes a persona's members (unit ids) as CSV to `path`; resolves with how many. */
  exportAudience(spec: SegmentSpec, path: string): Promise<number>;
  /**
   * Writes the table of a funnel, comparison or impact analysis (the one the screen shows, as
   * the report prints it) as CSV or XLSX; resolves with the file written.
   */
  exportTable<A extends TableAnalysis>(analysis: A, spec: TableSpecOf[A], path: string, format?: 'csv' | 'xlsx'): Promise<string>;
  /** What each step is worth (docs/value.md); with `chart`, the wasted-traffic chart as `wasted_svg`. */
  runValue(spec: ValueSpec, chart?: ChartView): Promise<ValueView>;
  /** Writes one wasted-traffic bucket's units as CSV to `path`; resolves with how many. */
  exportWasted(spec: ValueSpec, which: WastedAudience, path: string): Promise<number>;
  /** Where units went next (or came from): the engine's result, its Sankey chart (`svg`) and node table (`shown`). */
  runPaths(spec: PathsSpec, chart?: ChartView): Promise<Charted<PathsShown>>;
  /** Retention cohorts: the result, the curve (`svg`) and the cohort table (`shown`). */
  runRetention(spec: RetentionSpec, chart?: ChartView): Promise<Charted<RetentionResult>>;
  /** Writes the units through path node `node` (an index into the nodes) as CSV; resolves with how many. */
  exportPathNode(spec: PathsSpec, node: number, path: string): Promise<number>;
  /** The units through the edge from node `from` to node `to` (indexes into the result's nodes) as CSV. */
  exportPathEdge(spec: PathsSpec, from: number, to: number, path: string): Promise<number>;
  /** The A/B test planner: units per variant (and days, with daily traffic), with the engine's text of them. */
  planSampleSize(input: PlanInput): Promise<PlannedTest>;
  /** The sample-ratio check: units per variant against the planned split (weights; even when absent). */
  sampleRatioCheck(observed: number[], planned?: number[]): Promise<SampleRatioCheck>;
}

/** invoke, with a plain-words error when the page is not inside the desktop window. */
function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  if (!inTauri())
    return Promise.reject({
      code: 'no_shell',
      message:
        'This page was opened outside the Stepwise desktop window, so it cannot reach the workspace. Start the Stepwise app instead.',
    });
  const p = invoke<T>(cmd, args).catch((e: unknown) => {
    // Tauri rejects a command the shell does not register with this string.
    if (typeof e === 'string' && /^command \S+ not found$/.test(e))
      throw {
        code: 'internal',
        message: `This build of Stepwise cannot do that yet: its desktop shell has no "${cmd}" command.`,
      };
    throw e;
  });
  return work.track(cmd, p);
}

/** The analyses at work (the status bar's progress and Cancel). */
export const work = new Work(() => api.cancelAnalyses());

/** Sends the engine's analysis progress (the window event "analysis-progress") to `work`; resolves with the unlisten. */
export async function listenAnalysisProgress(): Promise<() => void> {
  const { listen } = await import('@tauri-apps/api/event');
  return listen<AnalysisProgress>('analysis-progress', (ev) => work.report(ev.payload));
}

export const tauriApi: Api = {
  listDatasets: () => call('list_datasets'),
  importFiles(paths, onEvent, choices) {
    if (!inTauri()) return call('import_files');
    const onProgress = new Channel<ImportEvent>();
    onProgress.onmessage = onEvent;
    return call('import_files', { paths, choices, onProgress });
  },
  cancelImport: () => call('cancel_import'),
  cancelAnalyses: () => call('cancel_analyses'),
  reimportDataset: (name, options) => call('reimport_dataset', { name, options }),
  deleteDataset: (name) => call('delete_dataset', { name }),
  renameDataset: (from, to) => call('rename_dataset', { from, to }),
  workspaceInfo: () => call('workspace_info'),
  previewRows: (name, offset, limit) => call('preview_rows', { name, offset, limit }),
  runFunnel: (spec, chart, title, engine) => call('run_funnel', { spec, chart, title, engine }),
  getClickhouse: (dataset) => call('get_clickhouse', { dataset }),
  eventTags: (dataset) => call('event_tags', { dataset }),
  setEventTag: (dataset, event, tag) => call('set_event_tag', { dataset, event, tag }),
  setClickhouse: (dataset, connection) => call('set_clickhouse', { dataset, connection }),
  funnelDropoff: (spec, step, limit) => call('funnel_dropoff', { spec, step, limit }),
  exportDropoff: (spec, step, path) => call('export_dropoff', { spec, step, path }),
  copyChart: (svg) => call('copy_chart', { svg }),
  saveChartPng: (svg, path) => call('save_chart_png', { svg, path }),
  fileTables: (path) => call('file_tables', { path }),
  appendDataset(name, path, onEvent, choice) {
    if (!inTauri()) return call('append_dataset');
    const onProgress = new Channel<ImportEvent>();
    onProgress.onmessage = onEvent;
    return call('append_dataset', { name, path, choice, onProgress });
  },
  recentWorkspaces: () => call('recent_workspaces'),
  openWorkspace: (path, create) => call('open_workspace', { path, create }),
  datasetValues: (name, column, limit) => call('dataset_values', { name, column, limit }),
  datasetSummary: (name) => call('dataset_summary', { name }),
  saveItem: (kind, name, spec) => call('save_item', { kind, name, spec }),
  listItems: (kind) => call('list_items', { kind }),
  deleteItem: (kind, name) => call('delete_item', { kind, name }),
  countSegment: (spec) => call('count_segment', { spec }),
  compare: (spec, chart, engine) => call('compare', { spec, chart, engine }),
  impact: (spec, chart) => call('impact', { spec, chart }),
  exportReport: (spec, path, format) => call('export_report', { spec, path, format }),
  reportPages: (spec) => call('report_pages', { spec }),
  exportAudience: (spec, path) => call('export_audience', { spec, path }),
  exportTable: (analysis, spec, path, format) => call('export_table', { analysis, spec, path, format }),
  runValue: (spec, chart) => call('run_value', { spec, chart }),
  exportWasted: (spec, which, path) => call('export_wasted', { spec, which, path }),
  runPaths: (spec, chart) => call('run_paths', { spec, chart }),
  runRetention: (spec, chart) => call('run_retention', { spec, chart }),
  exportPathNode: (spec, node, path) => call('export_path_node', { spec, node, path }),
  exportPathEdge: (spec, from, to, path) => call('export_path_edge', { spec, from, to, path }),
  planSampleSize: (input) => call('plan_sample_size', { input }),
  sampleRatioCheck: (observed, planned) => call('sample_ratio_check', { observed, planned }),
  importSample(onEvent) {
    if (!inTauri()) return call('import_sample');
    const onProgress = new Channel<ImportEvent>();
    onProgress.onmessage = onEvent;
    return call('import_sample', { onProgress });
  },
};

/** The implementation in use; a live binding, replaced by setApi(). */
export let api: Api = tauriApi;

export function setApi(next: Api): void {
  api = next;
}

/** Whatever a command rejected with, as {code, message}, in words an analyst reads (readableError). */
export function toErrorInfo(e: unknown): ErrorInfo {
  if (e && typeof e === 'object' && 'message' in e) {
    const o = e as { code?: unknown; message: unknown };
    return readableError({
      // the engine's codes; a rejection that is not the engine's is internal
      code: typeof o.code === 'string' ? (o.code as ErrorCode) : 'internal',
      message: String(o.message),
    });
  }
  if (typeof e === 'string') return readableError({ code: 'internal', message: e });
  return { code: 'internal', message: 'Something went wrong, with no further detail.' };
}

/** What the app was doing, by shell command, for a request the shell could not read. */
const DOING: Record<string, string> = {
  count_segment: 'counting the persona',
  run_funnel: 'computing the funnel',
  get_clickhouse: 'reading the ClickHouse connection',
  event_tags: 'reading the tagged events',
  set_event_tag: 'tagging the event',
  set_clickhouse: 'storing the ClickHouse connection',
  funnel_dropoff: 'listing who dropped',
  export_dropoff: 'exporting who dropped',
  compare: 'comparing',
  impact: 'ranking the actions',
  export_report: 'exporting the report',
  report_pages: 'building the report preview',
  export_audience: 'exporting the audience',
  export_table: 'exporting the table',
  run_value: 'putting a value on the steps',
  export_wasted: 'exporting the audience',
  run_paths: 'following the paths',
  run_retention: 'computing retention',
  export_path_node: 'exporting the node\'s units',
  export_path_edge: 'exporting the edge\'s units',
  plan_sample_size: 'planning the test',
  sample_ratio_check: 'checking the split',
  save_item: 'saving',
  list_items: 'listing saved work',
  delete_item: 'deleting',
  reimport_dataset: 're-reading the dataset with your changes',
  import_files: 'importing',
  append_dataset: 'appending',
  preview_rows: 'showing the rows',
  dataset_values: 'listing the values',
  open_workspace: 'opening the workspace',
};

/** What a command argument is, in words. */
const ARG: Record<string, string> = { spec: 'definition', options: 'changes', path: 'file path', choices: 'sheet choice' };

/** serde's detail ("missing field `measure`") as a phrase naming the field or value. */
function serdeDetail(detail: string): string {
  const name = (re: RegExp) => re.exec(detail)?.[1];
  const missing = name(/missing field `([^`]+)`/);
  if (missing) return `the field “${missing}” is missing`;
  const unknown = name(/unknown field `([^`]+)`/);
  if (unknown) return `the field “${unknown}” is not one the engine knows`;
  const variant = name(/unknown variant `([^`]+)`/);
  if (variant) return `“${variant}” is not one of the accepted values`;
  const type = /invalid type: ([^,]+), expected ([^\n]+?)(?: at line \d+ column \d+)?$/.exec(detail);
  if (type) return `a value has the wrong type (${type[1].replace(/`/g, '')} where ${type[2].replace(/`/g, '')} was expected)`;
  if (/did not match any variant/.test(detail)) return 'one of its conditions has a shape the engine does not accept';
  return 'its shape is not one the engine accepts';
}

/**
 * An error as the analyst should read it: never a raw Tauri invoke error ("invalid args `spec`
 * for command `count_segment`: ...") nor a command-line hint ("map one with --map page=COLUMN").
 * The field or file named in the original is kept.
 */
export function readableError(info: ErrorInfo): ErrorInfo {
  let message = info.message.trim();
  const args = /^invalid args `([^`]+)` for command `([^`]+)`: ?([\s\S]*)$/.exec(message);
  if (args) {
    const [, arg, cmd, detail] = args;
    const doing = DOING[cmd] ?? cmd.replace(/_/g, ' ');
    return {
      code: 'invalid',
      message: `Stepwise could not read the ${ARG[arg] ?? arg} it sent for ${doing}: ${serdeDetail(detail)}. This is a fault in Stepwise, not in your data; nothing was changed.`,
    };
  }
  const unregistered = /^command (\S+) not found$/.exec(message);
  if (unregistered)
    return {
      code: 'internal',
      message: `This build of Stepwise cannot do that yet (${DOING[unregistered[1]] ?? unregistered[1].replace(/_/g, ' ')}).`,
    };
  // Command-line hints, said the way the app does it.
  message = message
    .replace(/map one with --map (\w+)=COLUMN(\{\})?/g, (_m, role: string) => `set a column's role to “${role}” on the dataset's mapping screen`)
    .replace(/ or name it with \S+/g, '')
    .replace(/\s*\(CLI: --[\w-]+\)/g, '')
    .replace(/--map (\w+)=(\w+)/g, (_m, role: string, col: string) => `the role “${role}” for column ${col}`);
  return message === info.message ? info : { ...info, message };
}

/** True inside the Tauri webview (false in a plain browser and in tests). */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}
