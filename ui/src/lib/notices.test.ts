import { afterEach, describe, expect, it, vi } from 'vitest';
import { app, MAX_NOTICES } from './app.svelte';

afterEach(() => {
  vi.useRealTimers();
  app.notices = [];
});

describe('passing messages', () => {
  it('keep the newest three on screen and go after their time', () => {
    vi.useFakeTimers();
    for (const m of ['one', 'two', 'three', 'four', 'five']) app.notify(m, 4000);
    expect(MAX_NOTICES).toBe(3);
    expect(app.notices.map((n) => n.message)).toEqual(['three', 'four', 'five']);
    vi.advanceTimersByTime(3999);
    expect(app.notices).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(app.notices).toHaveLength(0);
  });
});
