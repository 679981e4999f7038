// Types of the front end that are not (yet) generated from Rust.
//
// The funnel and segment types follow issue 4 and issue 5's JSON exactly; they
// are provisional and will be replaced by the ts-rs bindings of the funnel
// engine (ui/src/lib/bindings/) once it lands.

import type { ColumnType } from './bindings/ColumnType';
import type { ComparedGroup } from './bindings/ComparedGroup';
import type { DatasetInfo } from './bindings/DatasetInfo';
import type { Role } from './bindings/Role';
import type { Comparison } from './bindings/Comparison';
import type { Preview } from './bindings/Preview';

export type { ColumnInfo } from './bindings/ColumnInfo';
export type { ColumnType } from './bindings/ColumnType';
export type { DatasetInfo } from './bindings/DatasetInfo';
export type { DatasetKind } from './bindings/DatasetKind';
export type { ErrorInfo } from './bindings/ErrorInfo';
export type { Progress } from './bindings/Progress';
export type { Role } from './bindings/Role';
export type { ImportEvent } from './bindings/ImportEvent';
export type { WorkspaceInfo } from './bindings/WorkspaceInfo';
export type { ChiSquare } from './bindings/ChiSquare';
export type { ComparedGroup } from './bindings/ComparedGroup';
export type { Comparison } from './bindings/Comparison';
export type { ConversionStats } from './bindings/ConversionStats';
export type { VerdictKind } from './bindings/VerdictKind';

// ---------------------------------------------------------------- commands

export type Cell = string | number | boolean | null;

/** What `preview_rows` returns. */
export type PreviewPage = Preview;

export type { ValueCount } from './bindings/ValueCount';

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
// Mirrors crates/engine/src/funnel/spec.rs (funnel branch) field for field;
// the engine denies unknown fields.

/** Exact path, `*` glob, or a regular expression. */
export type PagePattern = string | { regex: string };

export interface FunnelStep {
  label?: string;
  event?: string;
  page?: PagePattern;
  where?: Filter[];
  /** Metric tables: the dimension value(s) this step's rows have. */
  value?: PagePattern;
  /** Metric tables: the column to sum for this step (default: the spec's metric). */
  metric?: string;
}

export type FunnelOrder = 'ordered' | 'strict' | 'unordered';
export type CountBy = 'users' | 'sessions';
export type Attribution = 'first_touch' | 'last_touch' | 'step';
export type Interval = 'day' | 'week' | 'month';

export interface DateRange {
  from?: string;
  to?: string;
}

export interface Exclusion {
  event?: string;
  page?: PagePattern;
  where?: Filter[];
  from_step?: number;
  to_step?: number;
}

export interface Breakdown {
  column: string;
  attribution?: Attribution;
  step?: number;
  limit?: number;
}

export interface TimeToConvertSpec {
  from_step?: number;
  to_step?: number;
  bins?: number;
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
  trend?: { interval: Interval };
  time_to_convert?: TimeToConvertSpec;
  /** Metric tables: the column to sum, and the dimension column steps pick rows by. */
  metric?: string;
  dimension?: string;
  /** Issue 5: a persona applied to the funnel (not yet accepted by the engine). */
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

export interface TrendPoint {
  /** Start of the period: `2024-09-02` (weeks start on Monday), months `2024-09`. */
  period: string;
  entered: number;
  converted: number;
  rate: number;
}

export interface TimeBin {
  from_seconds: number;
  to_seconds: number;
  count: number;
}

export interface TimeToConvert {
  from_step: number;
  to_step: number;
  bins: TimeBin[];
  average_seconds: number | null;
  median_seconds: number | null;
}

export interface FunnelResult {
  steps: StepResult[];
  breakdown?: BreakdownResult[] | null;
  trend?: TrendPoint[] | null;
  time_to_convert?: TimeToConvert | null;
  /** "users" or "sessions" ("rows" for a metric table). */
  unit?: string;
  /** Units left out because their furthest attempt was spoiled by an exclusion. */
  excluded?: number;
  /** Things the analyst should know (e.g. a step's event never occurs). */
  warnings?: string[];
  /** Chart drawn by the engine, when it provides one. */
  svg?: string;
  /** The engine's trend chart (when the spec asks for a trend and the app asked for charts). */
  trend_svg?: string;
  /** The engine's time-to-convert histogram. */
  histogram_svg?: string;
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

// ---------------------------------------------------------------- comparisons (issue 5)

/** `compare`: a funnel plus personas (or a column to split by) and a baseline. */
export interface CompareSpec {
  funnel: FunnelSpec;
  segments?: (SegmentSpec | { not: SegmentSpec; name?: string })[];
  by?: string;
  baseline?: string;
}

/** One compared group: the engine's ComparedGroup, plus its funnel steps when the command sends them. */
export type CompareGroup = ComparedGroup & { steps?: StepResult[] };

/**
 * `compare` result: the engine's Comparison (`groups`); issue 5's CLI JSON
 * names the list `segments`, so either is read.
 */
export type CompareResult = Omit<Comparison, 'groups'> & {
  groups?: CompareGroup[];
  segments?: CompareGroup[];
  /** The engine's chart of the groups' funnels, when the app asked for it. */
  svg?: string;
};

// ---------------------------------------------------------------- impact (issue 5)

export type Target = { event: string } | { page: string };

export interface ImpactSpec {
  dataset: string;
  goal: Target;
  candidates: Target[] | 'auto';
  window?: string;
  order_value?: number;
  value_column?: string;
}

export interface ImpactCandidate {
  event?: string;
  page?: string;
  users_did: number;
  goal_rate_did: number | null;
  users_not: number;
  goal_rate_not: number | null;
  lift: number | null;
  ci_low: number | null;
  ci_high: number | null;
  p_value: number | null;
  reach: number | null;
  value_per_action: number | null;
  /** When the engine flags the sample as too small to trust. */
  small_sample?: boolean;
  /** Every user who reached the goal did it first: a step on the way, not a choice (ranked after the choices). */
  required?: boolean;
}

export interface ImpactResult {
  goal: Target | string;
  candidates: ImpactCandidate[];
  /** The engine's chart of the ranking, when the app asked for it. */
  svg?: string;
}

// ---------------------------------------------------------------- reports (issue 7, provisional)

export type ReportSection =
  | { type: 'funnel'; title: string; spec: FunnelSpec; findings: string }
  | { type: 'compare'; title: string; spec: CompareSpec; findings: string }
  | { type: 'text'; title: string; text: string };

export interface ReportSpec {
  title: string;
  subtitle?: string;
  sections: ReportSection[];
}

export type ExportFormat = 'pdf' | 'png' | 'csv';

// ---------------------------------------------------------------- import report and re-mapping

/** What an import did (engine `ImportReport`), when the shell returns it instead of a bare DatasetInfo. */
export interface ImportReport {
  dataset: DatasetInfo;
  format: string;
  encoding: string | null;
  delimiter: string | null;
  sheet: string | null;
  table: number;
  tables: number;
  preset: string | null;
  time_zone: string;
  rows_imported: number;
  skipped_rows: number;
  notes: string[];
}

/** The engine's ImportOptions overrides, for `reimport_dataset`. */
export interface ImportOverrides {
  map: [Role, string][];
  types: [string, ColumnType][];
  time_zone?: string;
}
