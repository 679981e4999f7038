import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import { Work } from './work.svelte';

describe('tracking from an effect', () => {
  it('does not make the effect depend on the running list (it looped: effect_update_depth_exceeded)', () => {
    const w = new Work(async () => 0);
    let runs = 0;
    const stop = $effect.root(() => {
      $effect(() => {
        runs++;
        w.track('dataset_summary', new Promise(() => {}));
      });
    });
    flushSync();
    w.track('run_funnel', new Promise(() => {}));
    flushSync();
    expect(runs).toBe(1);
    expect(w.running.map((r) => r.command)).toEqual(['dataset_summary', 'run_funnel']);
    stop();
  });
});
