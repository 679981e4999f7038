// The app's state and the actions the screens call. One instance (`app`),
// reactive through Svelte runes.

import { api, toErrorInfo, type FileChoice, type FileTables } from './api';
import { choiceFor, defaultIndex, isDefaultChoice, needsPick } from './sheets';
import { asReport } from './mapping';
import { formatCount } from './format';
import type { PathsDraft } from './paths';
import { PendingActions, type Pending } from './pending';
import { applyTheme, savedTheme, saveTheme, systemTheme, type Theme } from './theme';
import type {
  DatasetInfo,
  ErrorInfo,
  ImportEvent,
  ImportReport,
  ItemKind,
  ReportSpecSection,
  SavedItem,
  WorkspaceInfo,
} from './types';

export type View =
  | { kind: 'home' }
  | { kind: 'dataset'; name: string }
  | { kind: 'mapping'; key: number }
  | { kind: 'funnel'; name: string | null; dataset: string | null; key: number }
  | { kind: 'persona'; name: string | null; key: number }
  | { kind: 'compare'; key: number }
  | { kind: 'impact'; key: number }
  | { kind: 'ab'; key: number }
  | { kind: 'paths'; key: number; seed: PathsDraft | null }
  | { kind: 'retention'; key: number }
  | { kind: 'report'; name: string | null; key: number };

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

/** The sheet picker's question: which sheet or table of `file` to import. */
export interface SheetPick {
  file: string;
  tables: FileTables;
  selected: number;
  answer: (choice: FileChoice | null) => void;
}

/** A screen's unsaved edits (see AppState.unsaved). */
export interface Unsaved {
  /** What is being edited, for the question: `funnel "Checkout"`. */
  what: () => string;
  /** True while there are edits that are not saved. */
  dirty: () => boolean;
  /** Saves; false when it could not (the screen says why). */
  save: () => Promise<boolean>;
}

/** The question before leaving unsaved edits: Save, Discard or Cancel. */
export interface LeavePrompt {
  what: string;
  answer: (a: 'save' | 'discard' | 'cancel') => Promise<void>;
}

/** How long a deleted dataset can be brought back. */
export const UNDO_DELAY_MS = 8000;

/** How many passing messages are shown at once. */
export const MAX_NOTICES = 3;

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
  funnels = $state<SavedItem<'funnel'>[]>([]);
  segments = $state<SavedItem<'segment'>[]>([]);
  compares = $state<SavedItem<'compare'>[]>([]);
  impacts = $state<SavedItem<'impact'>[]>([]);
  reports = $state<SavedItem<'report'>[]>([]);
  /** The files of the last import, for the mapping screen. */
  mapping = $state<{ dataset: DatasetInfo; report: ImportReport | null }[]>([]);
  /** What Ctrl/Cmd+E does on the current screen (set by screens that can export). */
  exportHandler: (() => void) | null = null;
  theme = $state<Theme>('light');
  searchOpen = $state(false);
  /** The open sheet picker, if any. */
  sheetPick = $state<SheetPick | null>(null);
  /** Recently opened workspaces, most recent first. */
  recent = $state<string[]>([]);
  /** The open screen's unsaved edits, registered by a screen that saves (the funnel builder). */
  unsaved: Unsaved | null = null;
  /** The open "unsaved changes" question, if any. */
  leavePrompt = $state<LeavePrompt | null>(null);
  /**
   * A screen's section on its way to a report ("Add to report"): the report screen of view `key`
   * appends it when it opens (takePendingSection).
   */
  pendingSection: { key: number; section: ReportSpecSection } | null = null;

  private noticeSeq = 0;
  private viewSeq = 0;
  /** The open screen's draft, by view key, so a screen rebuilt by "Try again" after a crash keeps it. */
  private kept: { key: number; draft: unknown } | null = null;
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
    return this.datasets.filter((d) => !hidden.has(`dataset:${d.name}`));
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
    // Follow the system's light/dark switch until the analyst picks a theme.
    window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener?.('change', () => {
      if (savedTheme()) return;
      this.theme = systemTheme();
      applyTheme(this.theme);
    });
  }

  toggleTheme(): void {
    this.theme = this.theme === 'dark' ? 'light' : 'dark';
    saveTheme(this.theme);
    applyTheme(this.theme);
  }

  async load(): Promise<void> {
    const [datasets, workspace] = await Promise.allSettled([api.listDatasets(), api.workspaceInfo()]);
    if (datasets.status === 'fulfilled') this.datasets = datasets.value;
    else this.showError(datasets.reason, 'The datasets of this workspace could not be read');
    if (workspace.status === 'fulfilled') this.workspace = workspace.value;
    this.loaded = true;
    await Promise.all([this.loadItems(), this.loadRecent()]);
  }

  async loadRecent(): Promise<void> {
    try {
      this.recent = (await api.recentWorkspaces?.()) ?? [];
    } catch {
      this.recent = [];
    }
  }

  /**
   * Switches the app to another workspace (`create`: a new file): the shell
   * reopens it and clears its indexes; every list is read again.
   */
  async switchWorkspace(path: string, create = false): Promise<boolean> {
    if (this.job) {
      this.showError(
        { code: 'busy', message: 'An import is running. Wait for it to finish or cancel it, then switch workspaces.' },
        'Workspace not switched',
      );
      return false;
    }
    try {
      if (this.pending.length > 0) await this.deletes.flush();
      this.workspace = await api.openWorkspace(path, create);
      this.view = { kind: 'home' };
      this.mapping = [];
      this.recompute = null;
      this.error = null;
      await this.load();
      this.notify(`${create ? 'Created' : 'Opened'} workspace "${this.workspaceName}".`);
      return true;
    } catch (e) {
      this.showError(e, create ? 'The workspace could not be created' : 'The workspace could not be opened');
      return false;
    }
  }

  async refreshDatasets(): Promise<void> {
    try {
      this.datasets = await api.listDatasets();
      if (this.workspace) this.workspace = { ...this.workspace, datasets: this.datasets.length };
    } catch (e) {
      this.showError(e, 'The dataset list could not be read');
    }
  }

  /** Saved funnels, personas, comparisons, impact analyses and reports; a kind the engine cannot list is empty. */
  async loadItems(): Promise<void> {
    const list = <K extends ItemKind>(kind: K) => api.listItems(kind).catch((): SavedItem<K>[] => []);
    [this.funnels, this.segments, this.compares, this.impacts, this.reports] = await Promise.all([
      list('funnel'),
      list('segment'),
      list('compare'),
      list('impact'),
      list('report'),
    ]);
  }

  /** The draft kept for the screen of view `key` (null: none; a screen opened anew). */
  keptDraft<T>(key: number | null): T | null {
    return key !== null && this.kept?.key === key ? (this.kept.draft as T) : null;
  }

  /**
   * Keeps the (reactive, edited in place) draft of the screen of view `key`; only the
   * current screen's draft is kept.
   */
  keepDraft(key: number | null, draft: unknown): void {
    if (key !== null) this.kept = { key, draft };
  }

  /**
   * Goes to `view`; with unsaved edits on the open screen, asks first (Save / Discard /
   * Cancel) and goes only once they are saved or discarded.
   */
  private go(view: View): void {
    const u = this.unsaved;
    if (!u || !u.dirty()) {
      this.view = view;
      return;
    }
    this.leavePrompt = {
      what: u.what(),
      answer: async (a) => {
        this.leavePrompt = null;
        if (a === 'cancel') return;
        if (a === 'save' && !(await u.save())) return;
        if (this.unsaved === u) this.unsaved = null;
        this.view = view;
      },
    };
  }

  open(view: View): void {
    this.go(view);
  }

  newFunnel(dataset: string | null = null, name: string | null = null): void {
    const first =
      dataset ?? (this.visibleDatasets.find((d) => d.kind === 'events') ?? this.visibleDatasets[0])?.name ?? null;
    this.go({ kind: 'funnel', name, dataset: first, key: ++this.viewSeq });
  }

  newReport(name: string | null = null): void {
    this.go({ kind: 'report', name, key: ++this.viewSeq });
  }

  /**
   * "Add to report": opens report `report` (null: a new one) with `section` appended, unsaved. If
   * the open screen's unsaved edits are kept (Cancel), nothing opens and the section is dropped.
   */
  addToReport(section: ReportSpecSection, report: string | null): void {
    const key = ++this.viewSeq;
    // a copy, as JSON: later edits on the screen do not change it
    this.pendingSection = { key, section: JSON.parse(JSON.stringify(section)) as ReportSpecSection };
    this.go({ kind: 'report', name: report, key });
  }

  /** The section handed to the report screen of view `key` (once; null when there is none). */
  takePendingSection(key: number): ReportSpecSection | null {
    const p = this.pendingSection;
    if (!p || p.key !== key) return null;
    this.pendingSection = null;
    return p.section;
  }

  impact(): void {
    this.go({ kind: 'impact', key: ++this.viewSeq });
  }

  /** The A/B test screen: the sample-size planner and a readout by variant column. */
  abTest(): void {
    this.go({ kind: 'ab', key: ++this.viewSeq });
  }

  compare(): void {
    this.go({ kind: 'compare', key: ++this.viewSeq });
  }

  /** The Paths screen; `seed`: where to start (a funnel's drop-offs from "Where did they go?"). */
  paths(seed: PathsDraft | null = null): void {
    this.go({ kind: 'paths', key: ++this.viewSeq, seed });
  }

  /** The Retention screen: cohorts and repeat purchase. */
  retention(): void {
    this.go({ kind: 'retention', key: ++this.viewSeq });
  }

  newPersona(name: string | null = null): void {
    this.go({ kind: 'persona', name, key: ++this.viewSeq });
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
    const choices: FileChoice[] = [];
    for (const p of paths) {
      const c = await this.chooseTable(p);
      if (c === null) {
        this.notify('Import cancelled; nothing was read.');
        return;
      }
      choices.push(c);
    }
    if (choices.every(isDefaultChoice)) await this.runImport(paths, (onEvent) => api.importFiles(paths, onEvent));
    else await this.runImport(paths, (onEvent) => api.importFiles(paths, onEvent, choices));
  }

  /**
   * Asks which sheet or table of `path` to read when it has several (the
   * sheet picker); `{}` when there is nothing to choose, null when cancelled.
   */
  async chooseTable(path: string): Promise<FileChoice | null> {
    let tables: FileTables | null = null;
    try {
      tables = (await api.fileTables?.(path)) ?? null;
    } catch {
      // The import itself says what is wrong with the file.
      tables = null;
    }
    if (!needsPick(tables)) return {};
    const ft = tables;
    return new Promise<FileChoice | null>((resolve) => {
      this.sheetPick = {
        file: path,
        tables: ft,
        selected: defaultIndex(ft),
        answer: (choice) => {
          this.sheetPick = null;
          resolve(choice);
        },
      };
    });
  }

  /** The sheet picker's OK: the selected sheet or table. */
  pickSheet(index?: number): void {
    const p = this.sheetPick;
    if (!p) return;
    p.answer(choiceFor(p.tables, index ?? p.selected));
  }

  cancelSheetPick(): void {
    this.sheetPick?.answer(null);
  }

  /** Appends a newer export of the same source to a dataset, with progress. */
  async appendFile(name: string, path: string): Promise<boolean> {
    if (this.job) {
      this.showError(
        { code: 'busy', message: 'An import is already running. Wait for it to finish or cancel it, then try again.' },
        'Nothing appended',
      );
      return false;
    }
    const before = this.dataset(name)?.rows ?? 0;
    const choice = await this.chooseTable(path);
    if (choice === null) return false;
    let ok = false;
    await this.runImport(
      [path],
      async (onEvent) => [await api.appendDataset(name, path, onEvent, isDefaultChoice(choice) ? undefined : choice)],
      (files) => {
        ok = true;
        const after = this.dataset(name)?.rows ?? before;
        const added = files[0]?.report?.rows_imported ?? Math.max(0, after - before);
        this.notify(`Appended ${formatCount(added)} rows to "${name}"; it now has ${formatCount(after)}.`);
      },
      `Appending to ${name}`,
    );
    return ok;
  }

  /** First run: the bundled sample store data, so a funnel is one click away. */
  async importSample(): Promise<void> {
    await this.runImport(['sample store data'], (onEvent) => api.importSample(onEvent));
  }

  private async runImport(
    paths: string[],
    start: (onEvent: (e: ImportEvent) => void) => Promise<(DatasetInfo | ImportReport)[]>,
    done?: (files: { dataset: DatasetInfo; report: ImportReport | null }[]) => void,
    label?: string,
  ): Promise<void> {
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
      label: label ?? (paths.length === 1 ? `Importing ${name(paths[0])}` : `Importing ${paths.length} files`),
      file: name(paths[0]),
      stage: 'starting',
      bytesDone: 0,
      bytesTotal: 0,
      rowsDone: 0,
      startedAt: performance.now(),
      cancelling: false,
    };
    try {
      // A re-import may reuse the name of a dataset waiting to be deleted: carry the deletes out first.
      if (this.pending.length > 0) await this.deletes.flush();
      const results = await start((ev: ImportEvent) => {
        if (!this.job) return;
        this.job.file = name(ev.file);
        this.job.stage = ev.progress.stage;
        this.job.bytesDone = ev.progress.bytes_done;
        this.job.bytesTotal = ev.progress.bytes_total;
        this.job.rowsDone = ev.progress.rows_done;
      });
      const files = results.map(asReport);
      const imported = files.map((f) => f.dataset);
      await this.refreshDatasets();
      if (done) done(files);
      else if (imported.length > 0) {
        // Show what was read and how, so a wrong guess is fixed before any funnel is built.
        this.mapping = files;
        this.view = { kind: 'mapping', key: ++this.viewSeq };
        const rows = imported.reduce((a, d) => a + d.rows, 0);
        this.notify(
          imported.length === 1
            ? `Imported "${imported[0].name}".`
            : `Imported ${imported.length} datasets (${formatCount(rows)} rows).`,
        );
      }
    } catch (e) {
      const info = toErrorInfo(e);
      if (info.code === 'cancelled') this.notify('Import cancelled; the workspace is unchanged.');
      else this.showError(info, label?.startsWith('Appending') ? 'Nothing was appended' : 'The import failed');
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
    this.deletes.schedule(`dataset:${name}`, `Deleted "${name}"`, async () => {
      await api.deleteDataset(name);
      await this.refreshDatasets();
    });
  }

  /** Saved funnels, personas and reports still shown (not waiting to be deleted). */
  visibleItems<K extends ItemKind>(kind: K, items: SavedItem<K>[]): SavedItem<K>[] {
    const hidden = new Set(this.pending.map((p) => p.key));
    return items.filter((i) => !hidden.has(`${kind}:${i.name}`));
  }

  /** Hide a saved funnel / persona / report at once; delete it after the undo delay. */
  deleteItem(kind: ItemKind, name: string): void {
    const v = this.view;
    const open =
      (v.kind === 'funnel' && kind === 'funnel') ||
      (v.kind === 'persona' && kind === 'segment') ||
      (v.kind === 'report' && kind === 'report');
    if (open && v.name === name) this.view = { kind: 'home' };
    const what = kind === 'segment' ? 'persona' : kind;
    this.deletes.schedule(`${kind}:${name}`, `Deleted ${what} "${name}"`, async () => {
      await api.deleteItem(kind, name);
      await this.loadItems();
    });
  }

  undo(id?: number): boolean {
    const p = id === undefined ? this.pending[this.pending.length - 1] : this.pending.find((x) => x.id === id);
    const ok = this.deletes.undo(id);
    if (ok && p) this.notify(`Restored "${p.key.slice(p.key.indexOf(':') + 1)}".`);
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

  /** A passing message; the three newest stay on screen (older ones go at once). */
  notify(message: string, ms = 4000): void {
    const id = ++this.noticeSeq;
    this.notices = [...this.notices, { id, message }].slice(-MAX_NOTICES);
    setTimeout(() => (this.notices = this.notices.filter((n) => n.id !== id)), ms);
  }
}

export const app = new AppState();
