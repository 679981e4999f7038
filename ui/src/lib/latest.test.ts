import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LatestRequest } from './latest';

describe('LatestRequest', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function deferred<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
    return { promise, resolve, reject };
  }

  it('waits for the debounce and a cleanup before it cancels the request', async () => {
    const latest = new LatestRequest(100);
    const run = vi.fn(async () => 1);
    const ok = vi.fn();
    const cleanup = latest.schedule(run, { ok, fail: vi.fn() });
    await vi.advanceTimersByTimeAsync(99);
    expect(run).not.toHaveBeenCalled();
    cleanup();
    await vi.advanceTimersByTimeAsync(10);
    expect(run).not.toHaveBeenCalled();
    latest.schedule(run, { ok, fail: vi.fn() });
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(1);
    expect(ok).toHaveBeenCalledWith(1);
  });

  it('drops an answer that arrives after a newer request was made', async () => {
    const latest = new LatestRequest(10);
    const first = deferred<string>();
    const second = deferred<string>();
    const seen: string[] = [];
    const handlers = {
      start: () => seen.push('start'),
      ok: (r: string) => seen.push(`ok ${r}`),
      fail: (e: unknown) => seen.push(`fail ${String(e)}`),
      done: () => seen.push('done'),
    };
    latest.schedule(() => first.promise, handlers);
    await vi.advanceTimersByTimeAsync(10);
    latest.schedule(() => second.promise, handlers);
    await vi.advanceTimersByTimeAsync(10);
    second.resolve('new');
    await vi.advanceTimersByTimeAsync(0);
    first.resolve('old');
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual(['start', 'start', 'ok new', 'done']);
  });

  it('reports the error of the newest request', async () => {
    const latest = new LatestRequest(0);
    const fail = vi.fn();
    const done = vi.fn();
    latest.schedule(() => Promise.reject(new Error('boom')), { ok: vi.fn(), fail, done });
    await vi.advanceTimersByTimeAsync(0);
    expect(fail).toHaveBeenCalledWith(new Error('boom'));
    expect(done).toHaveBeenCalledTimes(1);
  });
});
