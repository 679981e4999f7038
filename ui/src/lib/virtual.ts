// Windowing for the preview grid: which rows to draw for a scroll position.
//
// Browsers cap an element's height (around 16-33 million px), so a dataset of
// millions of rows cannot have a spacer of rows x rowHeight. Above `maxHeight`
// the spacer is capped and the scroll position is mapped proportionally onto
// the rows; each row still scrolls smoothly within a row's height.

export interface Window {
  /** Height of the scrolling spacer, px. */
  height: number;
  /** First row to draw. */
  first: number;
  /** Number of rows to draw (clipped to the total). */
  count: number;
  /** Top of the first drawn row inside the spacer, px. */
  top: number;
}

export function visibleWindow(
  scrollTop: number,
  viewport: number,
  total: number,
  rowHeight: number,
  overscan = 5,
  maxHeight = 8_000_000,
): Window {
  const full = total * rowHeight;
  const height = Math.min(full, maxHeight);
  if (total <= 0 || viewport <= 0) return { height, first: 0, count: 0, top: 0 };
  const maxScroll = Math.max(0, height - viewport);
  const st = Math.max(0, Math.min(scrollTop, maxScroll));
  // The content offset (px into the full-height table) at the top of the viewport.
  const contentTop = full <= maxHeight || maxScroll === 0 ? st : (st / maxScroll) * (full - viewport);
  const exactFirst = Math.floor(contentTop / rowHeight);
  const first = Math.max(0, exactFirst - overscan);
  const last = Math.min(total, Math.ceil((contentTop + viewport) / rowHeight) + overscan);
  // Place row `first` so that row exactFirst sits where contentTop says.
  const top = st - (contentTop - first * rowHeight);
  return { height, first, count: Math.max(0, last - first), top };
}

/** The page indices (of `pageSize` rows) needed to draw rows [first, first+count). */
export function pagesFor(first: number, count: number, pageSize: number): number[] {
  if (count <= 0) return [];
  const a = Math.floor(first / pageSize);
  const b = Math.floor((first + count - 1) / pageSize);
  const out: number[] = [];
  for (let p = a; p <= b; p++) out.push(p);
  return out;
}
