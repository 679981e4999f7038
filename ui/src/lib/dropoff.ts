// Words and file names for the "who dropped here" panel.

import type { Dropoff } from './bindings/Dropoff';
import { chartFileName } from './chart';

/** "users reached “Add to cart” but not “Checkout”" (the count is shown before it). */
export function dropoffSentence(d: Pick<Dropoff, 'unit' | 'from_label' | 'to_label' | 'count'>): string {
  const unit = d.count === 1 ? d.unit.replace(/s$/, '') : d.unit;
  return `${unit} reached “${d.from_label}” but not “${d.to_label}”`;
}

/** "dropped before step 3 - Checkout.csv" */
export function dropoffFileName(d: Pick<Dropoff, 'step' | 'to_label'>): string {
  return chartFileName(`dropped before step ${d.step + 1} - ${d.to_label}`, 'csv');
}
