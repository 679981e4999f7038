// The analysis at work: every engine command that can take longer than a
// moment (funnels, comparisons, reports, exports, the value lists of a
// column) is tracked here while it runs. After SHOW_AFTER_MS the status bar
// shows what it is doing, the engine's progress (the "analysis-progress"
// event) and a Cancel button (Esc); Cancel asks the engine to stop every
// running analysis, which then rejects with the code "cancelled".

import { untrack } from 'svelte';
import type { AnalysisProgress } from './bindings/AnalysisProgress';

/** The shell commands that run as cancellable analyses, and what the status bar calls each. */
export const ANALYSIS_COMMANDS: Record<string, string> = {
  run_funnel: 'Computing the funnel',
  funnel_dropoff: 'Listing who dropped',
  export_dropoff: 'Exporting who dropped',
  count_segment: 'Counting the persona',
  compare: 'Comparing',
  impact: 'Ranking the actions',
  bottleneck_across: 'Finding the bottleneck',
  dataset_summary: 'Summarising the dataset',
  dataset_values: 'Listing the values',
  report_pages: 'Building the report preview',
  export_report: 'Exporting the report',
  export_audience: 'Exporting the audience',
  export_table: 'Exporting the table',
  run_value: 'Putting a value on the steps',
  export_wasted: 'Exporting the audience',
  run_paths: 'Following the paths',
  run_retention: 'Computing retention',
  export_path_node: "Exporting the node's units",
  export_path_edge: "Exporting the edge's units",
};

/** How long an analysis runs before the status bar shows it (UI.md: work over 100 ms shows progress). */
export const SHOW_AFTER_MS = 100;

export interface Running {
  id: number;
  command: string;
  label: string;
  startedAt: number;
}

export class Work {
  running = $state<Running[]>([]);
  /** The engine's latest progress report (any running analysis). */
  progress = $state<AnalysisProgress | null>(null);
  /** Whether the status bar shows the work (something has run for SHOW_AFTER_MS). */
  shown = $state(false);
  cancelling = $state(false);
  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly cancelAll: () => Promise<unknown>) {}

  /** The oldest running analysis, whose label the status bar shows. */
  get current(): Running | null {
    return this.running[0] ?? null;
  }

  /** Tracks `promise` (the command `command`) while it runs; returns it unchanged. */
  track<T>(command: string, promise: Promise<T>): Promise<T> {
    const label = ANALYSIS_COMMANDS[command];
    if (!label) return promise;
    // screens call commands from their effects: reading `running` here
    // must not make the caller's effect depend on it (it would loop)
    return untrack(() => this.start(command, label, promise));
  }

  private start<T>(command: string, label: string, promise: Promise<T>): Promise<T> {
    const id = ++this.seq;
    this.running = [...this.running, { id, command, label, startedAt: performance.now() }];
    if (!this.timer && !this.shown)
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.running.length) this.shown = true;
      }, SHOW_AFTER_MS);
    const end = () => this.finish(id);
    promise.then(end, end);
    return promise;
  }

  /** A progress report from the engine. */
  report(p: AnalysisProgress): void {
    if (this.running.length) this.progress = p;
  }

  /** Asks the engine to stop every running analysis. */
  async cancel(): Promise<void> {
    if (!this.running.length || this.cancelling) return;
    this.cancelling = true;
    try {
      await this.cancelAll();
    } catch {
      this.cancelling = false;
    }
  }

  private finish(id: number): void {
    this.running = this.running.filter((r) => r.id !== id);
    if (this.running.length) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.shown = false;
    this.progress = null;
    this.cancelling = false;
  }
}

/** What the status bar says of the progress: "Reading column “time” · 45%". */
export function progressText(p: AnalysisProgress | null): string {
  if (!p) return '';
  const stage = p.stage.replace(/"([^"]*)"/g, '\u201c$1\u201d');
  if (p.total > 0) return `${stage} · ${Math.min(100, Math.round((100 * p.done) / p.total))}%`;
  return stage;
}

/** The fraction done (0..1), or null when the stage's total is not known. */
export function progressFraction(p: AnalysisProgress | null): number | null {
  return p && p.total > 0 ? Math.min(1, p.done / p.total) : null;
}
