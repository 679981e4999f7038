import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import StatusBar from '../widgets/StatusBar.svelte';
import { work } from './api';
import { ANALYSIS_COMMANDS, SHOW_AFTER_MS, Work, progressFraction, progressText } from './work.svelte';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

describe('analyses at work', () => {
  it('show only after SHOW_AFTER_MS, and go when the last one ends', async () => {
    vi.useFakeTimers();
    const w = new Work(async () => 0);
    const a = deferred<number>();
    const b = deferred<number>();
    w.track('run_funnel', a.promise);
    vi.advanceTimersByTime(SHOW_AFTER_MS - 1);
    expect(w.shown).toBe(false);
    w.track('compare', b.promise);
    vi.advanceTimersByTime(1);
    expect(w.shown).toBe(true);
    expect(w.current?.label).toBe('Computing the funnel');
    w.report({ stage: 'Reading column "time"', done: 45, total: 100 });
    a.resolve(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(w.shown).toBe(true);
    expect(w.current?.label).toBe('Comparing');
    b.reject({ code: 'cancelled', message: 'x' });
    await b.promise.catch(() => {});
    await Promise.resolve();
    expect(w.shown).toBe(false);
    expect(w.progress).toBeNull();
  });

  it('never show a quick one', async () => {
    vi.useFakeTimers();
    const w = new Work(async () => 0);
    const a = deferred<number>();
    w.track('run_funnel', a.promise);
    a.resolve(1);
    await Promise.resolve();
    await Promise.resolve();
    vi.advanceTimersByTime(SHOW_AFTER_MS * 3);
    expect(w.shown).toBe(false);
  });

  it('do not track the quick commands', () => {
    const w = new Work(async () => 0);
    w.track('list_datasets', new Promise(() => {}));
    w.track('save_item', new Promise(() => {}));
    expect(w.running).toHaveLength(0);
  });

  it('cancel through the shell once, and say so', async () => {
    const cancelAll = vi.fn(async () => 1);
    const w = new Work(cancelAll);
    w.track('run_paths', new Promise(() => {}));
    await w.cancel();
    await w.cancel();
    expect(cancelAll).toHaveBeenCalledTimes(1);
    expect(w.cancelling).toBe(true);
  });

  it('word the progress', () => {
    expect(progressText({ stage: 'Reading column "time"', done: 45, total: 100 })).toBe('Reading column \u201ctime\u201d · 45%');
    expect(progressText({ stage: 'Counting the funnel', done: 0, total: 0 })).toBe('Counting the funnel');
    expect(progressFraction({ stage: 's', done: 3, total: 4 })).toBe(0.75);
    expect(progressFraction({ stage: 's', done: 3, total: 0 })).toBeNull();
  });

  it('cover every shell command that runs as an analysis', () => {
    // the engine's session methods that run as cancellable analyses ...
    const read = (f: string) => readFileSync(resolve(process.cwd(), '..', f), 'utf8');
    const session = read('crates/engine/src/session.rs');
    const methods = [...session.matchAll(/\n {4}pub fn (\w+)(?:<[^>]*>)?\(([\s\S]*?)\n {4}\}/g)]
      .filter(([body]) => /self\.(analyse|working)\(/.test(body))
      .map(([, name]) => name);
    expect(methods).toEqual(expect.arrayContaining(['funnel', 'compare', 'paths', 'export_report', 'report_pages']));
    // ... and the shell's commands that call one (or analyse / working)
    const shell = ['analyses', 'datasets', 'exports', 'journeys', 'report', 'value']
      .map((f) => read(`src-tauri/src/${f}.rs`))
      .join('\n');
    const calls = new RegExp(`\\.(analyse|working|${methods.join('|')})\\(`);
    const analysing = [...shell.matchAll(/#\[tauri::command[^\]]*\]\s*pub (?:async )?fn (\w+)\(([\s\S]*?)\n\}/g)]
      .filter(([body]) => calls.test(body))
      .map(([, name]) => name)
      .sort();
    expect(analysing.length).toBeGreaterThan(15);
    expect(analysing.filter((n) => !(n in ANALYSIS_COMMANDS))).toEqual([]);
    expect(Object.keys(ANALYSIS_COMMANDS).filter((n) => !analysing.includes(n))).toEqual([]);
  });
});

describe('the status bar', () => {
  it('shows the running analysis with its progress, and Cancel stops it', async () => {
    vi.useFakeTimers();
    const d = deferred<number>();
    const cancel = vi.spyOn(work, 'cancel');
    work.track('run_retention', d.promise);
    render(StatusBar);
    expect(screen.queryByTestId('analysis-progress')).toBeNull();
    vi.advanceTimersByTime(SHOW_AFTER_MS);
    work.report({ stage: "Following each user's returns", done: 1, total: 4 });
    await tick();
    expect(screen.getByTestId('analysis-progress').textContent).toContain('Computing retention');
    expect(screen.getByTestId('analysis-stage').textContent).toBe("Following each user's returns · 25%");
    expect(screen.getByRole('progressbar', { name: 'Analysis progress' }).getAttribute('aria-valuenow')).toBe('25');
    await fireEvent.click(screen.getByTestId('cancel-analysis'));
    expect(cancel).toHaveBeenCalled();
    d.reject({ code: 'cancelled', message: 'cancelled' });
    await d.promise.catch(() => {});
    await Promise.resolve();
    await tick();
    expect(screen.queryByTestId('analysis-progress')).toBeNull();
    expect(screen.getByText('Ready')).toBeTruthy();
  });
});
