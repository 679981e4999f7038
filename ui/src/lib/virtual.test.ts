import { describe, expect, it } from 'vitest';
import { pagesFor, visibleWindow } from './virtual';

describe('visibleWindow', () => {
  it('draws only the rows in view plus overscan', () => {
    const w = visibleWindow(0, 260, 1000, 26, 5);
    expect(w.height).toBe(26000);
    expect(w.first).toBe(0);
    expect(w.count).toBe(15);
    expect(w.top).toBe(0);
  });
  it('follows the scroll position', () => {
    const w = visibleWindow(2600, 260, 1000, 26, 5);
    expect(w.first).toBe(95);
    expect(w.top).toBe(95 * 26);
    expect(w.count).toBe(20);
  });
  it('clips at the end', () => {
    const w = visibleWindow(1e9, 260, 1000, 26, 5);
    expect(w.first + w.count).toBe(1000);
    // The last row ends exactly at the bottom of the spacer.
    expect(w.top + w.count * 26).toBe(w.height);
  });
  it('caps the spacer for ten million rows and still reaches the last row', () => {
    const total = 10_000_000;
    const w0 = visibleWindow(0, 520, total, 26, 0, 1_000_000);
    expect(w0.height).toBe(1_000_000);
    expect(w0.first).toBe(0);
    const end = visibleWindow(1_000_000 - 520, 520, total, 26, 0, 1_000_000);
    expect(end.first + end.count).toBe(total);
    expect(end.top + end.count * 26).toBeCloseTo(1_000_000, 6);
    const mid = visibleWindow(500_000 - 260, 520, total, 26, 0, 1_000_000);
    expect(Math.abs(mid.first - total / 2)).toBeLessThan(20);
    // The drawn rows cover the viewport.
    expect(mid.top).toBeLessThanOrEqual(500_000 - 260);
    expect(mid.top + mid.count * 26).toBeGreaterThanOrEqual(500_000 + 260);
  });
  it('handles an empty table', () => {
    expect(visibleWindow(0, 300, 0, 26)).toEqual({ height: 0, first: 0, count: 0, top: 0 });
  });
});

describe('pagesFor', () => {
  it('lists the pages a range touches', () => {
    expect(pagesFor(0, 15, 200)).toEqual([0]);
    expect(pagesFor(190, 20, 200)).toEqual([0, 1]);
    expect(pagesFor(400, 200, 200)).toEqual([2]);
    expect(pagesFor(0, 0, 200)).toEqual([]);
  });
});
