// The types the front end uses. Everything that crosses the IPC boundary is
// the engine's own type, generated from Rust by ts-rs into ./bindings and
// re-exported here under the engine's names (one contract: a spec the app
// builds is a spec the engine parses). Only types with no engine counterpart
// are written by hand below, each saying why.

import type { FilterOp } from './bindings/FilterOp';
import type { Filter } from './bindings/Filter';
import type { ColumnType } from './bindings/ColumnType';
import type { Role } from './bindings/Role';
import type { SavedItem as EngineSavedItem } from './bindings/SavedItem';
import type { SavedSpec } from './bindings/SavedSpec';
import type { FunnelSpec } from './bindings/FunnelSpec';
import type { SegmentSpec } from './bindings/SegmentSpec';
import type { CompareSpec } from './bindings/CompareSpec';
import type { ImpactSpec } from './bindings/ImpactSpec';
import type { ReportSpec } from './bindings/ReportSpec';
import type { PathsSpec } from './bindings/PathsSpec';
import type { RetentionSpec } from './bindings/RetentionSpec';
import type { ValueSpec } from './bindings/ValueSpec';
import type { ChartedExtras } from './bindings/ChartedExtras';

// ---------------------------------------------------------------- workspace, datasets, import
export type { Cell } from './bindings/Cell';
export type { ColumnInfo } from './bindings/ColumnInfo';
export type { ColumnType } from './bindings/ColumnType';
export type { DatasetInfo } from './bindings/DatasetInfo';
export type { DatasetKind } from './bindings/DatasetKind';
export type { ErrorInfo } from './bindings/ErrorInfo';
export type { ImportEvent } from './bindings/ImportEvent';
export type { ImportReport } from './bindings/ImportReport';
export type { Preview } from './bindings/Preview';
export type { Progress } from './bindings/Progress';
export type { Role } from './bindings/Role';
export type { ValueCount } from './bindings/ValueCount';
export type { WorkspaceInfo } from './bindings/WorkspaceInfo';
export type { ExportFormat } from './bindings/ExportFormat';

// ---------------------------------------------------------------- specs (what the app sends)
export type { Attribution } from './bindings/Attribution';
export type { Breakdown } from './bindings/Breakdown';
export type { DateRange } from './bindings/DateRange';
export type { EventMatch } from './bindings/EventMatch';
export type { Exclusion } from './bindings/Exclusion';
export type { Filter } from './bindings/Filter';
export type { FilterOp } from './bindings/FilterOp';
export type { FunnelSpec } from './bindings/FunnelSpec';
export type { Interval } from './bindings/Interval';
export type { Order } from './bindings/Order';
export type { Pattern } from './bindings/Pattern';
export type { Step } from './bindings/Step';
export type { TimeToConvertSpec } from './bindings/TimeToConvertSpec';
export type { Unit } from './bindings/Unit';

export type { BehaviourCondition } from './bindings/BehaviourCondition';
export type { Condition } from './bindings/Condition';
export type { GroupCondition } from './bindings/GroupCondition';
export type { Match } from './bindings/Match';
export type { Measure } from './bindings/Measure';
export type { MeasureCondition } from './bindings/MeasureCondition';
export type { NotCondition } from './bindings/NotCondition';
export type { PropertyCondition } from './bindings/PropertyCondition';
export type { SegmentSpec } from './bindings/SegmentSpec';
export type { ValueOf } from './bindings/ValueOf';

export type { CompareSegment } from './bindings/CompareSegment';
export type { CompareSpec } from './bindings/CompareSpec';
export type { ImpactSpec } from './bindings/ImpactSpec';
export type { MetricSectionSpec } from './bindings/MetricSectionSpec';
export type { ReportSpec } from './bindings/ReportSpec';
export type { ReportSpecSection } from './bindings/ReportSpecSection';

// ---------------------------------------------------------------- results (what the engine answers)
export type { BreakdownRow } from './bindings/BreakdownRow';
export type { ChiSquare } from './bindings/ChiSquare';
export type { CompareResult } from './bindings/CompareResult';
export type { CompareRow } from './bindings/CompareRow';
export type { ConversionStats } from './bindings/ConversionStats';
export type { FunnelResult } from './bindings/FunnelResult';
export type { ImpactResult } from './bindings/ImpactResult';
export type { ImpactRow } from './bindings/ImpactRow';
export type { SegmentResult } from './bindings/SegmentResult';
export type { StepResult } from './bindings/StepResult';
export type { TimeBin } from './bindings/TimeBin';
export type { TimeToConvert } from './bindings/TimeToConvert';
export type { TrendPoint } from './bindings/TrendPoint';
export type { FunnelTrendPoint } from './bindings/FunnelTrendPoint';
export type { VerdictKind } from './bindings/VerdictKind';

// ---------------------------------------------------------------- UI-only

/** Every filter operator, in the order the filter menus list them. */
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
] as const satisfies readonly FilterOp[];

/** A filter's value when it has one. */
export type FilterValue = NonNullable<Filter['value']>;

/**
 * A result as the shell's analysis commands return it: the engine's result
 * plus what comes with it (the engine's `Charted<T>`: its result flattened
 * beside `ChartedExtras`): the charts as SVG when the app asked for them and
 * `shown`, the table with every cell formatted by the engine, the bottleneck
 * step, the notes and findings.
 */
export type Charted<T> = T & ChartedExtras;
export type { ChartedExtras } from './bindings/ChartedExtras';
export type { Shown } from './bindings/Shown';
export type { ShownTable } from './bindings/ShownTable';
export type { ShownCell } from './bindings/ShownCell';
export type { TableAnalysis } from './bindings/TableAnalysis';
/** The spec each analysis whose table can be exported runs with (the shell's `export_table`). */
export type TableSpecOf = {
  funnel: FunnelSpec;
  compare: CompareSpec;
  impact: ImpactSpec;
  paths: PathsSpec;
  paths_edges: PathsSpec;
  retention: RetentionSpec;
  value: ValueSpec;
  value_what_if: ValueSpec;
  value_opportunities: ValueSpec;
  value_priorities: ValueSpec;
  value_wasted: ValueSpec;
};
// ---------------------------------------------------------------- paths and retention
export type { PathsSpec } from './bindings/PathsSpec';
export type { PathsResult } from './bindings/PathsResult';
export type { PathsShown } from './bindings/PathsShown';
export type { PathNode } from './bindings/PathNode';
export type { PathStart } from './bindings/PathStart';
export type { RetentionSpec } from './bindings/RetentionSpec';
export type { RetentionResult } from './bindings/RetentionResult';
export type { RetentionCohort } from './bindings/RetentionCohort';
export type { PlanInput } from './bindings/PlanInput';
export type { SampleSizePlan } from './bindings/SampleSizePlan';
export type { PlannedTest } from './bindings/PlannedTest';
export type { ShownPlan } from './bindings/ShownPlan';
export type { SampleRatioCheck } from './bindings/SampleRatioCheck';

/** A saved spec as the engine stores it: `{kind, spec}`, the engine's own spec type per kind (cli-saved's `SavedSpec`). */
export type { SavedSpec };
/** The kinds of saved item (funnel, segment, compare, impact, report): the engine's `SavedSpec` tags. */
export type ItemKind = SavedSpec['kind'];
/** The engine spec type each kind is stored as, read off the engine's `SavedSpec` (the save command refuses any other). */
export type SpecOfKind = { [K in ItemKind]: Extract<SavedSpec, { kind: K }>['spec'] };
/** A saved item as `list_items` returns it (the engine's `SavedItem`), narrowed to the kinds `K`. */
export type SavedItem<K extends ItemKind = ItemKind> = Extract<EngineSavedItem, { kind: K }>;

/** The analyst's role / type / time-zone overrides for `reimport_dataset` (the shell's `ImportOverrides`, no ts-rs type). */
export interface ImportOverrides {
  map: [Role, string][];
  types: [string, ColumnType][];
  time_zone?: string;
}
