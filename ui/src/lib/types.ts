// Types of the front end that are not (yet) generated from Rust.
//
// The funnel and segment types follow issue 4 and issue 5's JSON exactly; they
// are provisional and will be replaced by the ts-rs bindings of the funnel
// engine (ui/src/lib/bindings/) once it lands.

import type { ColumnInfo } from './bindings/ColumnInfo';
import type { Progress } from './bindings/Progress';

export type { ColumnInfo } from './bindings/ColumnInfo';
export type { ColumnType } from './bindings/ColumnType';
export type { DatasetInfo } from './bindings/DatasetInfo';
export type { DatasetKind } from './bindings/DatasetKind';
export type { ErrorInfo } from './bindings/ErrorInfo';
export type { Progress } from './bindings/Progress';
export type { Role } from './bindings/Role';

// ---------------------------------------------------------------- commands

/** One message on the `import_files` progress channel. */
export interface ImportEvent {
  file: string;
  progress: Progress;
}

export interface WorkspaceInfo {
  path: string;
  datasets: number;
}

export type Cell = string | number | boolean | null;

export interface PreviewPage {
  columns: ColumnInfo[];
  rows: Cell[][];
  total: number;
}

export interface ValueCount {
  value: string;
  count: number;
}

export type ItemKind = 'funnel' | 'segment' | 'report';

/** A saved funnel / segment / report as returned by `list_items`. */
export interface SavedItem<T = unknown> {
  kind: ItemKind;
  name: string;
  spec: T;
  updated_at?: string;
}

// ---------------------------------------------------------------- filters

export const FILTER_OPS = [
  'eq',
  'ne',
  'contains',
  'not_contains',
  'starts_with',
  'regex',
  'in',
  'not_in',
  'gt',
  'gte',
  'lt',
  'lte',
  'is_set',
  'is_not_set',
] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export type FilterValue = string | number | boolean | (string | number)[];

export interface Filter {
  column: string;
  op: FilterOp;
  /** Absent for is_set / is_not_set; an array for in / not_in. */
  value?: FilterValue;
}

// ---------------------------------------------------------------- funnel spec

/** Exact path, `*` glob, or a regular expression. */
export type PagePattern = string | { regex: string };

export interface FunnelStep {
  label?: string;
  event?: string;
  page?: PagePattern;
  where?: Filter[];
}

export type FunnelOrder = 'ordered' | 'strict' | 'unordered';
export type CountBy = 'users' | 'sessions';
export type Attribution = 'first_touch' | 'last_touch' | 'step';

export interface DateRange {
  from?: string;
  to?: string;
}

export interface Exclusion {
  event?: string;
  page?: PagePattern;
  where?: Filter[];
  from_step: number;
  to_step: number;
}

export interface Breakdown {
  column: string;
  attribution?: Attribution;
  step?: number;
  limit?: number;
}

export interface FunnelSpec {
  dataset: string;
  steps: FunnelStep[];
  order?: FunnelOrder;
  /** e.g. "30m", "12h", "7d", "2w"; default 14d. */
  window?: string;
  count?: CountBy;
  where?: Filter[];
  date_range?: DateRange;
  exclude?: Exclusion[];
  breakdown?: Breakdown;
  trend?: { interval: 'day' | 'week' | 'month' };
  time_to_convert?: { from_step: number; to_step: number; bins?: number };
  segment?: SegmentSpec;
}

// ---------------------------------------------------------------- funnel result

export interface StepResult {
  label: string;
  count: number;
  /** Fractions 0..1. */
  conversion_from_start: number | null;
  conversion_from_previous: number | null;
  dropped: number;
  average_seconds: number | null;
  median_seconds: number | null;
}

export interface BreakdownResult {
  value: string;
  steps: StepResult[];
}

export interface FunnelResult {
  steps: StepResult[];
  breakdown?: BreakdownResult[] | null;
  trend?: unknown;
  time_to_convert?: unknown;
  /** Chart drawn by the engine, when it provides one. */
  svg?: string;
}

// ---------------------------------------------------------------- segments (issue 5)

export type ValueOf = 'ever' | 'first' | 'last';

export interface PropertyCondition {
  column: string;
  op: FilterOp;
  value?: FilterValue;
  value_of?: ValueOf;
}

export interface BehaviourCondition {
  did?: { event?: string; page?: PagePattern };
  did_not?: { event?: string; page?: PagePattern };
  at_least?: number;
  at_most?: number;
  date_range?: DateRange;
  within_days_of_first_seen?: number;
}

export interface SegmentGroup {
  match: 'all' | 'any';
  conditions: SegmentCondition[];
}

export interface NotCondition {
  not: SegmentCondition;
}

export type SegmentCondition = PropertyCondition | BehaviourCondition | SegmentGroup | NotCondition;

export interface SegmentSpec {
  name?: string;
  dataset?: string;
  description?: string;
  colour?: string;
  match: 'all' | 'any';
  conditions: SegmentCondition[];
}

export interface SegmentCount {
  members: number;
  sample: string[];
}
