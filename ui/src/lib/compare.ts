// Building the `compare` request (the engine's CompareSpec) from the analyst's choices.

import type { CompareSegment, CompareSpec, SavedItem, SegmentSpec } from './types';

export interface CompareDraft {
  funnel: string;
  mode: 'personas' | 'column';
  personas: string[];
  /** Add "everyone else" (the complement of the first persona). */
  everyoneElse: boolean;
  column: string;
  baseline: string;
  /** Confidence of the intervals and tests: 0.9, 0.95 (the engine's default) or 0.99. */
  confidence: number;
}

/** The confidence levels the screens offer. */
export const CONFIDENCE_LEVELS = [0.9, 0.95, 0.99] as const;

export function emptyCompare(): CompareDraft {
  return { funnel: '', mode: 'personas', personas: [], everyoneElse: false, column: '', baseline: '', confidence: 0.95 };
}

export function everyoneElseName(first: string): string {
  return `Not ${first}`;
}

/** The names of the groups the request will produce, in order (for the baseline picker). */
export function groupNames(d: CompareDraft): string[] {
  if (d.mode !== 'personas') return [];
  const out = d.personas.slice();
  if (d.everyoneElse && d.personas.length > 0) out.push(everyoneElseName(d.personas[0]));
  return out;
}

/** The request, or a sentence saying what is missing. */
export function buildCompare(
  d: CompareDraft,
  funnels: SavedItem<'funnel'>[],
  segments: SavedItem<'segment'>[],
): { spec: CompareSpec } | { missing: string } {
  const f = funnels.find((x) => x.name === d.funnel);
  if (!f) return { missing: 'Choose a saved funnel to compare on.' };
  const spec: CompareSpec = { funnel: f.spec };
  // absent: the engine's default, 95%
  if (d.confidence !== 0.95) spec.confidence = d.confidence;
  if (d.mode === 'column') {
    if (!d.column) return { missing: 'Choose the column whose values split the users (e.g. an A/B variant column).' };
    spec.by = d.column;
    if (d.baseline) spec.baseline = d.baseline;
    return { spec };
  }
  const chosen = d.personas
    .map((n) => segments.find((s) => s.name === n))
    .filter((s): s is SavedItem<'segment'> => !!s)
    .map((s): SegmentSpec => ({ ...s.spec, name: s.name }));
  const total = chosen.length + (d.everyoneElse && chosen.length > 0 ? 1 : 0);
  if (total < 2)
    return { missing: 'Pick two personas, or one persona and "everyone else", to compare them.' };
  const compared: CompareSegment[] = chosen;
  if (d.everyoneElse) compared.push({ not: chosen[0], name: everyoneElseName(chosen[0].name) });
  spec.segments = compared;
  const names = groupNames(d);
  spec.baseline = names.includes(d.baseline) ? d.baseline : names[0];
  return { spec };
}
