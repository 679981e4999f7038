// The app's state and the actions the screens call. One instance (`app`),
// reactive through Svelte runes.

import { api, toErrorInfo } from './api';
import { PendingActions, type Pending } from './pending';
import { applyTheme, savedTheme, saveTheme, systemTheme, type Theme } from './theme';
import type { DatasetInfo, ErrorInfo, FunnelSpec, ImportEvent, SavedItem, SegmentSpec, WorkspaceInfo } from './types';

export type View =
  | { kind: 'home' }
  | { kind: 'dataset'; name: string }
  | { kind: 'funnel'; name: string | null; dataset: string | null; key: number }
  | { kind: 'persona'; name: string | null; key: number }
  | { kind: 'soon'; section: 'Impact' | 'Reports' };

export interface Job {
  label: string;
  file: string;
  stage: string;
  bytesDone: number;
  bytesTotal: number;
  rowsDone: number;
  startedAt: number;
  cancelling: boolean;
}

export interface Notice {
  id: number;
  message: string;
}

export interface Recompute {
  steps: number;
  units: number;
  unit: string;
  ms: number;
}

/** How long a deleted dataset can be brought back. */
export const UNDO_DELAY_MS = 8000;

export class AppState {
  datasets = $state<DatasetInfo[]>([]);
  workspace = $state<WorkspaceInfo | null>(null);
  loaded = $state(false);
  view = $state<View>({ kind: 'home' });
  error = $state<(ErrorInfo & { context?: string }) | null>(null);
  job = $state<Job | null>(null);
  pending = $state<readonly Pending[]>([]);
  notices = $state<Notice[]>([]);
  recompute = $state<Recompute | null>(null);
  funnels = $state<SavedItem<FunnelSpec>[]>([]);
  segments = $state<SavedItem<SegmentSpec>[]>([]);
  theme = $state<Theme>('light');
  searchOpen = $state(false);

  private noticeSeq = 0;
  private viewSeq = 0;
  readonly deletes: PendingActions;

  constructor(undoDelayMs = UNDO_DELAY_MS) {
    this.deletes = new PendingActions(
      undoDelayMs,
      (items) => (this.pending = items),
      (e) => this.showError(e, 'The dataset could not be deleted'),
    );
  }

  /** Datasets minus the ones waiting to be deleted. */
  get visibleDatasets(): DatasetInfo[] {
    const hidden = new Set(this.pending.map((p) => p.key));
    return this.datasets.filter((d) => !hidden.has(d.name));
  }

  get workspaceName(): string {
    const p = this.workspace?.path;
    if (!p) return 'Workspace';
    const base = p.split(/[\\/]/).filter(Boolean).pop() ?? p;
    return base.replace(/\.stepwise$/, '');
  }

  dataset(name: string): DatasetInfo | undefined {
    return this.datasets.find((d) => d.name === name);
  }

  initTheme(): void {
    this.theme = savedTheme() ?? systemTheme();
    applyTheme(this.theme);
  }

  toggleTheme(): void {
    this.theme = this.theme === 'dark' ? 'light' : 'dark';
    saveTheme(this.theme);
    applyTheme(this.theme);
  }

  async load(): Promise<void> {
    try {
      const [datasets, workspace] = await Promise.all([api.listDatasets(), api.workspaceInfo()]);
      this.datasets = datasets;
      this.workspace = workspace;
    } catch (e) {
      this.showError(e, 'The workspace could not be read');
    } finally {
      this.loaded = true;
    }
    await this.loadItems();
  }

  async refreshDatasets(): Promise<void> {
    try {
      this.datasets = await api.listDatasets();
      if (this.workspace) this.workspace = { ...this.workspace, datasets: this.datasets.length };
    } catch (e) {
      this.showError(e, 'The dataset list could not be read');
    }
  }

  /** Saved funnels and personas; quiet when the engine has no such commands yet. */
  async loadItems(): Promise<void> {
    try {
      this.funnels = await api.listItems<FunnelSpec>('funnel');
    } catch {
      this.funnels = [];
    }
    try {
      this.segments = await api.listItems<SegmentSpec>('segment');
    } catch {
      this.segments = [];
    }
  }

  open(view: View): void {
    this.view = view;
  }

  newFunnel(dataset: string | null = null, name: string | null = null): void {
    const first = dataset ?? this.visibleDatasets.find((d) => d.kind === 'events')?.name ?? null;
    this.view = { kind: 'funnel', name, dataset: first, key: ++this.viewSeq };
  }

  newPersona(name: string | null = null): void {
    this.view = { kind: 'persona', name, key: ++this.viewSeq };
  }

  // ------------------------------------------------------------ import

  /** What a file drop does; also window.stepwise.importPaths for the end-to-end tests. */
  async importPaths(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    if (this.job) {
      this.showError(
        { code: 'busy', message: 'An import is already running. Wait for it to finish or cancel it, then try again.' },
        'Import not started',
      );
      return;
    }
    this.error = null;
    const name = (p: string) => p.split(/[\\/]/).pop() ?? p;
    this.job = {
      label: paths.length === 1 ? `Importing ${name(paths[0])}` : `Importing ${paths.length} files`,
      file: name(paths[0]),
      stage: 'starting',
      bytesDone: 0,
      bytesTotal: 0,
      rowsDone: 0,
      startedAt: performance.now(),
      cancelling: false,
    };
    try {
      const imported = await api.importFiles(paths, (ev: ImportEvent) => {
        if (!this.job) return;
        this.job.file = name(ev.file);
        this.job.stage = ev.progress.stage;
        this.job.bytesDone = ev.progress.bytes_done;
        this.job.bytesTotal = ev.progress.bytes_total;
        this.job.rowsDone = ev.progress.rows_done;
      });
      await this.refreshDatasets();
      if (imported.length > 0) {
        this.view = { kind: 'dataset', name: imported[imported.length - 1].name };
        const rows = imported.reduce((a, d) => a + d.rows, 0);
        this.notify(
          imported.length === 1
            ? `Imported "${imported[0].name}".`
            : `Imported ${imported.length} datasets (${rows.toLocaleString('en-US')} rows).`,
        );
      }
    } catch (e) {
      const info = toErrorInfo(e);
      if (info.code === 'cancelled') this.notify('Import cancelled; the workspace is unchanged.');
      else this.showError(info, 'The import failed');
      await this.refreshDatasets();
    } finally {
      this.job = null;
    }
  }

  async cancelImport(): Promise<void> {
    if (!this.job) return;
    this.job.cancelling = true;
    try {
      await api.cancelImport();
    } catch (e) {
      this.showError(e, 'The import could not be cancelled');
    }
  }

  // ------------------------------------------------------------ datasets

  /** Hide the dataset at once; delete it for real after the undo delay. */
  deleteDataset(name: string): void {
    if (this.view.kind === 'dataset' && this.view.name === name) this.view = { kind: 'home' };
    this.deletes.schedule(name, `Deleted "${name}"`, async () => {
      await api.deleteDataset(name);
      await this.refreshDatasets();
    });
  }

  undo(id?: number): boolean {
    const p = id === undefined ? this.pending[this.pending.length - 1] : this.pending.find((x) => x.id === id);
    const ok = this.deletes.undo(id);
    if (ok && p) this.notify(`Restored "${p.key}".`);
    return ok;
  }

  async renameDataset(from: string, to: string): Promise<boolean> {
    const name = to.trim();
    if (!name || name === from) return false;
    if (this.datasets.some((d) => d.name === name)) {
      this.showError(
        { code: 'exists', message: `A dataset called "${name}" already exists. Choose another name.` },
        'Not renamed',
      );
      return false;
    }
    try {
      await api.renameDataset(from, name);
      await this.refreshDatasets();
      if (this.view.kind === 'dataset' && this.view.name === from) this.view = { kind: 'dataset', name };
      return true;
    } catch (e) {
      this.showError(e, 'The dataset could not be renamed');
      return false;
    }
  }

  // ------------------------------------------------------------ messages

  showError(e: unknown, context?: string): void {
    this.error = { ...toErrorInfo(e), context };
  }

  dismissError(): void {
    this.error = null;
  }

  notify(message: string, ms = 4000): void {
    const id = ++this.noticeSeq;
    this.notices = [...this.notices, { id, message }];
    setTimeout(() => (this.notices = this.notices.filter((n) => n.id !== id)), ms);
  }
}

export const app = new AppState();
