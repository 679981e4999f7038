// The paths request (the engine's PathsSpec) from the analyst's choices on the Paths screen.

import type { FunnelSpec, PathsSpec } from './types';

/**
 * Where the paths start, as the screen offers it; `between`: what those who went from funnel step
 * `step` to the next did between the two.
 */
export type StartKind = 'event' | 'page' | 'step' | 'dropoff' | 'between';

export interface PathsDraft {
  dataset: string;
  start: StartKind;
  /** The event or page pattern (start "event" / "page"). */
  target: string;
  /** The funnel of a step or drop-off start (from the funnel results). */
  funnel: FunnelSpec | null;
  /** The funnel step, numbered from 1 as the funnel table numbers them. */
  step: number;
  direction: 'next' | 'previous';
  levels: number;
  by: 'event' | 'page';
  top: number;
  /** From a step: compare the first node of those who reached the funnel's last step against those who did not. */
  compare: boolean;
}

export function emptyPaths(dataset: string): PathsDraft {
  return {
    dataset,
    start: 'event',
    target: '',
    funnel: null,
    step: 1,
    direction: 'next',
    levels: 3,
    by: 'event',
    top: 8,
    compare: false,
  };
}

/**
 * The paths of those who dropped after step `step` (1-based: they reached it, not the next)
 * of `funnel`: what "Where did they go?" opens.
 */
export function dropoffPaths(funnel: FunnelSpec, step: number): PathsDraft {
  return { ...emptyPaths(funnel.dataset), start: 'dropoff', funnel, step };
}

export function buildPaths(d: PathsDraft): { spec: PathsSpec } | { missing: string } {
  if (!d.dataset) return { missing: 'Choose the event dataset to follow paths in.' };
  let from: PathsSpec['from'];
  const fromFunnel = d.start === 'step' || d.start === 'dropoff' || d.start === 'between';
  const compare = d.start === 'step' && d.compare;
  if (fromFunnel) {
    if (!d.funnel) return { missing: 'Open a funnel and choose a step to start from.' };
    const n = d.funnel.steps.length;
    // a drop-off, the steps between and converters against drop-offs need a next step
    const last = d.start === 'step' && !compare ? n : n - 1;
    if (last < 1)
      return {
        missing: compare ? 'Converters against drop-offs need a funnel of at least two steps.' : 'This needs a funnel of at least two steps.',
      };
    if (!Number.isInteger(d.step) || d.step < 1 || d.step > last)
      return {
        missing: compare
          ? `Choose a step from 1 to ${last}: at the last step everyone converted.`
          : `Choose a step from 1 to ${last}.`,
      };
    from =
      d.start === 'step'
        ? { funnel: d.funnel, step: d.step }
        : d.start === 'dropoff'
          ? { funnel: d.funnel, dropoff: d.step }
          : { funnel: d.funnel, between: d.step };
  } else {
    const t = d.target.trim();
    if (!t)
      return {
        missing: d.start === 'event' ? 'Choose the event to start from, e.g. add_to_cart.' : 'Choose the page to start from, e.g. /cart or /product/*.',
      };
    from = d.start === 'event' ? { event: t } : { page: t };
  }
  if (!Number.isInteger(d.levels) || d.levels < 1 || d.levels > 10)
    return { missing: 'Levels must be a whole number from 1 to 10.' };
  if (!Number.isInteger(d.top) || d.top < 1 || d.top > 50)
    return { missing: 'Nodes per level must be a whole number from 1 to 50.' };
  // a funnel start follows the funnel's own dataset
  const dataset = fromFunnel && d.funnel ? d.funnel.dataset : d.dataset;
  const spec: PathsSpec = { dataset, from };
  // absent: the engine's defaults (next, 3 levels, by event, top 8); between two steps the
  // paths always go forward
  if (d.direction !== 'next' && d.start !== 'between') spec.direction = d.direction;
  if (compare) spec.compare = 'converters';
  if (d.levels !== 3) spec.levels = d.levels;
  if (d.by !== 'event') spec.by = d.by;
  if (d.top !== 8) spec.top = d.top;
  return { spec };
}

/** "paths level 2 - view_item.csv" */
export function nodeFileName(name: string, level: number): string {
  return `${`paths level ${level} - ${name}`.replace(/[\\/:*?"<>|]/g, '_')}.csv`;
}
