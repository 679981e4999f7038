/**
 * The planned split of an A/B test as the analyst types it: weights in the
 * variants' order, separated by `/`, `,`, `:` or spaces ("50/50", "1,2,1",
 * "1:1"). Empty means an even split (`null`); anything that is not a list of
 * numbers is `'invalid'`. Whether the weights make a split (positive, one per
 * variant) is the engine's rule (`stats::sample_ratio_check`), not this one.
 */
export function parseSplit(text: string): number[] | null | 'invalid' {
  const t = text.trim();
  if (!t) return null;
  const parts = t.split(/[\s/,:;]+/).filter((p) => p !== '');
  const nums = parts.map((p) => Number(p.replace(/%$/, '')));
  return nums.length > 0 && nums.every((n) => Number.isFinite(n)) ? nums : 'invalid';
}
