// The retention request (the engine's RetentionSpec) from the analyst's choices on the Retention screen.

import type { RetentionSpec } from './types';

export interface RetentionDraft {
  dataset: string;
  /** Cohort by the first event of any kind, or by the first event `cohortEvent`. */
  cohort: 'first_seen' | 'event';
  cohortEvent: string;
  /** Coming back is any event, or the event `returnEvent`. */
  returns: 'any' | 'event';
  returnEvent: string;
  interval: 'day' | 'week' | 'month';
  periods: number;
  /** The order event for the repeat-purchase figures ('' : none). */
  goal: string;
}

export function emptyRetention(dataset: string): RetentionDraft {
  return {
    dataset,
    cohort: 'first_seen',
    cohortEvent: '',
    returns: 'any',
    returnEvent: '',
    interval: 'week',
    periods: 8,
    goal: '',
  };
}

export function buildRetention(d: RetentionDraft): { spec: RetentionSpec } | { missing: string } {
  if (!d.dataset) return { missing: 'Choose the event dataset to find returning users in.' };
  if (d.cohort === 'event' && !d.cohortEvent.trim())
    return { missing: 'Choose the event that puts a user in a cohort, e.g. purchase.' };
  if (d.returns === 'event' && !d.returnEvent.trim())
    return { missing: 'Choose the event that counts as coming back, e.g. purchase.' };
  if (!Number.isInteger(d.periods) || d.periods < 1 || d.periods > 120)
    return { missing: 'Periods must be a whole number from 1 to 120.' };
  const spec: RetentionSpec = {
    dataset: d.dataset,
    cohort: d.cohort === 'first_seen' ? 'first_seen' : { event: d.cohortEvent.trim() },
    return: d.returns === 'any' ? 'any' : { event: d.returnEvent.trim() },
    interval: d.interval,
  };
  if (d.periods !== 8) spec.periods = d.periods;
  if (d.goal.trim()) spec.goal = d.goal.trim();
  return { spec };
}
