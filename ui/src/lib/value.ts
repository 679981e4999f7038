// The Value panel's choices, as the engine's ValueSpec (docs/value.md): the
// funnel spec the builder runs plus the order value (a numeric column of the
// dataset, or a typed value per goal), an optional what-if (relative, points,
// or "as well as" a saved persona) and the analyst's effort per step for the
// ICE score. The engine
// computes and formats every number; this file only builds the question and
// says in words what is missing.

import type { ColumnInfo, FunnelSpec, SavedItem } from './types';
import type { ValueSpec } from './bindings/ValueSpec';
import type { ValueResult } from './bindings/ValueResult';
import type { ShownValue } from './bindings/ShownValue';
import type { WastedAudience } from './bindings/WastedAudience';
import { chartFileName } from './chart';

export type { ValueSpec, ValueResult, ShownValue, WastedAudience };

/** What `run_value` returns: the engine's result, its formatted tables and the wasted-traffic chart. */
export type ValueView = ValueResult & { shown: ShownValue; wasted_svg?: string };

/** The panel's inputs, as typed (numbers as the analyst typed them). */
export interface ValueDraft {
  /** Where a goal's value comes from. */
  source: 'column' | 'per_goal';
  /** A numeric column of the dataset (source "column"). */
  column: string;
  /** A typed value per goal, e.g. "49.90" (source "per_goal"). */
  perGoal: string;
  /** The step whose conversion improves (1-based, >= 2), or null for no what-if. */
  whatIfStep: number | null;
  /**
   * "relative": X% better; "points": Y percentage points better; "like": as well as a saved
   * persona; "like_value": as well as the users with a value of a column (device = desktop).
   */
  whatIfKind: 'relative' | 'points' | 'like' | 'like_value';
  /** X or Y as typed, in percent or points ("10" is 10% or 10 points). */
  whatIfAmount: string;
  /** The saved persona whose conversion everyone gets (kind "like"). */
  likePersona: string;
  /** The column and its value whose users' conversion everyone gets (kind "like_value"). */
  likeColumn: string;
  likeValue: string;
  /** The effort typed per step improved (step number as printed -> text, "1" to "10"); blank: none. */
  effort: Record<number, string>;
}

/** Names an order value column often has, in order of preference. */
const VALUE_NAMES = ['revenue', 'order_value', 'value', 'price', 'amount', 'total'];

/** The dataset's numeric columns, which can hold an order value. */
export function numericColumns(columns: ColumnInfo[]): string[] {
  return columns.filter((c) => c.type === 'integer' || c.type === 'decimal').map((c) => c.name);
}

/** The numeric column most likely to be the order value, or "" when none looks like one. */
export function guessValueColumn(columns: ColumnInfo[]): string {
  const names = numericColumns(columns);
  for (const want of VALUE_NAMES) {
    const hit = names.find((n) => n.toLowerCase() === want);
    if (hit) return hit;
  }
  for (const want of VALUE_NAMES) {
    const hit = names.find((n) => n.toLowerCase().includes(want));
    if (hit) return hit;
  }
  return '';
}

/** A new draft for a dataset: its value-like column if it has one, else a typed value. */
export function emptyValueDraft(columns: ColumnInfo[]): ValueDraft {
  const column = guessValueColumn(columns);
  return {
    source: column ? 'column' : 'per_goal',
    column,
    perGoal: '',
    whatIfStep: null,
    whatIfKind: 'relative',
    whatIfAmount: '10',
    likePersona: '',
    likeColumn: '',
    likeValue: '',
    effort: {},
  };
}

/** A number as typed: "1,234.5", " 10 %", "-2" (a comma is a thousands separator). */
export function parseNumber(text: string): number | null {
  const t = text.trim().replace(/,/g, '').replace(/%$/, '').trim();
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)$/.test(t)) return null;
  const x = Number(t);
  return Number.isFinite(x) ? x : null;
}

/**
 * The engine's ValueSpec for a funnel and the panel's choices, or what is
 * missing in one sentence. The what-if amount is typed in percent (relative)
 * or points and sent as a fraction; the engine checks its range again. A
 * "like" what-if carries the saved persona's spec (from `segments`), as the
 * funnel's own persona does. Only valid efforts are sent (`effortProblems`
 * says what is wrong with the others, so the tables stay on screen while the
 * analyst corrects one).
 */
export function buildValueSpec(
  funnel: FunnelSpec,
  d: ValueDraft,
  segments: SavedItem<'segment'>[] = [],
): { spec: ValueSpec } | { missing: string } {
  const steps = funnel.steps.length;
  if (steps < 2) return { missing: 'A value table needs a funnel of at least two steps: the last one is the goal.' };
  let value: ValueSpec['value'];
  if (d.source === 'column') {
    if (!d.column) {
      return {
        missing:
          'Choose the column that holds the order value, or type a value per goal: without one there is no money to put on a step.',
      };
    }
    value = { column: d.column };
  } else {
    const v = parseNumber(d.perGoal);
    if (v === null) {
      return { missing: 'Type the value of one goal (an average order value, e.g. 49.90), or choose a column that holds it.' };
    }
    if (v <= 0) return { missing: `The value per goal must be a positive number, not ${d.perGoal.trim()}.` };
    value = { per_goal: v };
  }
  const spec: ValueSpec = { ...funnel, value };
  if (d.whatIfStep !== null) {
    const k = d.whatIfStep;
    if (!Number.isInteger(k) || k < 2 || k > steps) {
      return { missing: `Choose the step that converts better: step 2 to ${steps} (step 1 is where users enter).` };
    }
    if (d.whatIfKind === 'like') {
      if (!d.likePersona) return { missing: 'Choose the persona whose conversion everyone would get at the step.' };
      const seg = segments.find((x) => x.name === d.likePersona);
      if (!seg) return { missing: `The persona “${d.likePersona}” is no longer saved: choose another.` };
      spec.what_if = { step: k, like: { segment: { ...seg.spec, name: seg.name } } };
    } else if (d.whatIfKind === 'like_value') {
      if (!d.likeColumn) return { missing: 'Choose the column whose value’s users everyone would convert like, e.g. device_category.' };
      if (!d.likeValue.trim()) return { missing: `Choose the value of ${d.likeColumn} whose users everyone would convert like.` };
      spec.what_if = { step: k, like: { column: d.likeColumn, value: d.likeValue.trim() } };
    } else {
      const x = parseNumber(d.whatIfAmount);
      if (x === null) {
        return {
          missing:
            d.whatIfKind === 'relative'
              ? 'Type how much better the step converts, in percent (10 is 10% better).'
              : 'Type how many percentage points better the step converts (2 is two points).',
        };
      }
      if (d.whatIfKind === 'relative') {
        if (!(x > -100 && x <= 1000)) {
          return { missing: `A relative change of ${x}% is out of range: give more than -100% and at most 1000%.` };
        }
        spec.what_if = { step: k, relative: x / 100 };
      } else {
        if (!(x >= -100 && x <= 100)) {
          return { missing: `A change of ${x} points is out of range: give -100 to 100 points.` };
        }
        spec.what_if = { step: k, points: x / 100 };
      }
    }
  }
  const effort = validEfforts(d, steps);
  if (Object.keys(effort).length > 0) spec.effort = effort;
  return { spec };
}

/** An effort as typed: a whole number 1 to 10, null for blank, NaN for anything else. */
function effortOf(text: string): number | null {
  if (text.trim() === '') return null;
  const e = parseNumber(text);
  return e !== null && Number.isInteger(e) && e >= 1 && e <= 10 ? e : NaN;
}

/** The efforts typed for steps 2 to `steps` that are whole numbers 1 to 10, keyed as the engine wants ("2"). */
export function validEfforts(d: ValueDraft, steps: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, text] of Object.entries(d.effort)) {
    const step = Number(key);
    const e = effortOf(text);
    if (Number.isInteger(step) && step >= 2 && step <= steps && e !== null && !Number.isNaN(e)) out[String(step)] = e;
  }
  return out;
}

/** One sentence per effort typed that is not a whole number 1 to 10 (not sent to the engine). */
export function effortProblems(d: ValueDraft, steps: number): string[] {
  return Object.entries(d.effort)
    .filter(([key, text]) => {
      const step = Number(key);
      return step >= 2 && step <= steps && Number.isNaN(effortOf(text));
    })
    .map(([key, text]) => `The effort of step ${key} must be a whole number from 1 (easiest) to 10 (hardest), not “${text.trim()}”.`);
}

/** "non-buyers after step 2 - Cart - last event search.csv" */
export function wastedFileName(w: WastedAudience, labels: string[]): string {
  const step = `stopped after step ${w.step} - ${labels[w.step - 1] ?? ''}`;
  const which = w.event != null ? ` - last event ${w.event}` : w.page != null ? ` - last page ${w.page}` : '';
  return chartFileName(`${step}${which}`, 'csv');
}
