import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingActions } from './pending';

describe('PendingActions', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('commits after the delay and not before', async () => {
    const commit = vi.fn(async () => {});
    const p = new PendingActions(8000, () => {}, () => {});
    p.schedule('a', 'Deleted a', commit);
    expect(p.isHidden('a')).toBe(true);
    await vi.advanceTimersByTimeAsync(7999);
    expect(commit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(commit).toHaveBeenCalledTimes(1);
    expect(p.isHidden('a')).toBe(false);
  });

  it('undo cancels the latest, or the one named', async () => {
    const a = vi.fn(async () => {});
    const b = vi.fn(async () => {});
    const p = new PendingActions(100, () => {}, () => {});
    const ida = p.schedule('a', 'a', a);
    p.schedule('b', 'b', b);
    expect(p.undo()).toBe(true);
    expect(p.isHidden('b')).toBe(false);
    expect(p.undo(ida)).toBe(true);
    expect(p.undo()).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(a).not.toHaveBeenCalled();
    expect(b).not.toHaveBeenCalled();
  });

  it('reports a failed commit and flushes on demand', async () => {
    const errors: unknown[] = [];
    const p = new PendingActions(10_000, () => {}, (e) => errors.push(e));
    p.schedule('x', 'x', async () => {
      throw { code: 'io', message: 'disk full' };
    });
    const ok = vi.fn(async () => {});
    p.schedule('y', 'y', ok);
    await p.flush();
    expect(ok).toHaveBeenCalledTimes(1);
    expect(errors).toEqual([{ code: 'io', message: 'disk full' }]);
    expect(p.list).toHaveLength(0);
  });
});
