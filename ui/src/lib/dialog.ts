// The Import button and Ctrl+O: the native file dialog, then the same import a drop does.

import { app } from './app.svelte';
import { api, inTauri, tauriApi } from './api';

export const IMPORT_EXTENSIONS = ['csv', 'tsv', 'txt', 'xlsx', 'xls', 'xlsb', 'ods', 'json', 'ndjson', 'jsonl'];

export async function pickAndImport(): Promise<void> {
  if (api !== tauriApi) {
    // The ?mock dev mode and tests: no native dialog, import a sample file.
    await app.importPaths(['/samples/sample store events.csv']);
    return;
  }
  if (!inTauri()) {
    app.notify('The file dialog needs the desktop app; in the browser, use window.stepwise.importPaths.');
    return;
  }
  try {
    const { open } = await import('@tauri-apps/plugin-dialog');
    const picked = await open({
      multiple: true,
      directory: false,
      title: 'Import analytics exports',
      filters: [
        { name: 'Analytics exports', extensions: IMPORT_EXTENSIONS },
        { name: 'All files', extensions: ['*'] },
      ],
    });
    if (!picked) return;
    const paths = Array.isArray(picked) ? picked : [picked];
    await app.importPaths(paths);
  } catch (e) {
    app.showError(e, 'The file dialog could not open');
  }
}

/** Paths the WebDriver tests queue for the next save dialogs (see window.stepwise.queueSavePath). */
const queuedSavePaths: string[] = [];

export function queueSavePath(path: string): void {
  queuedSavePaths.push(path);
}

/**
 * The native save dialog, for every export in the app. Returns the chosen path, or null when
 * the user cancels. A path queued by the end-to-end tests is used instead of the dialog (the
 * native dialog is outside the web page, where WebDriver cannot reach). Outside the desktop
 * app (tests, ?mock) the default name is returned as is.
 */
export async function pickSavePath(opts: {
  title: string;
  defaultPath: string;
  filters: { name: string; extensions: string[] }[];
}): Promise<string | null> {
  const queued = queuedSavePaths.shift();
  if (queued !== undefined) return queued;
  if (api !== tauriApi || !inTauri()) return opts.defaultPath;
  const { save } = await import('@tauri-apps/plugin-dialog');
  return await save(opts);
}

/** Paths the WebDriver tests queue for the next open dialogs (see window.stepwise.queueOpenPath). */
const queuedOpenPaths: string[] = [];

export function queueOpenPath(path: string): void {
  queuedOpenPaths.push(path);
}

/**
 * The native open dialog for one file (append an export, open a workspace). Returns the path, or
 * null when the user cancels. A path queued by the end-to-end tests is used instead of the dialog.
 * Outside the desktop app (tests, ?mock) there is nothing to pick: null.
 */
export async function pickOpenPath(opts: {
  title: string;
  filters: { name: string; extensions: string[] }[];
}): Promise<string | null> {
  const queued = queuedOpenPaths.shift();
  if (queued !== undefined) return queued;
  if (api !== tauriApi || !inTauri()) return null;
  const { open } = await import('@tauri-apps/plugin-dialog');
  const picked = await open({ multiple: false, directory: false, title: opts.title, filters: opts.filters });
  return Array.isArray(picked) ? (picked[0] ?? null) : picked;
}

/** The native save dialog for a new workspace file (queued paths first, as pickSavePath). */
export async function pickNewWorkspacePath(): Promise<string | null> {
  return pickSavePath({
    title: 'New workspace',
    defaultPath: 'New workspace.stepwise',
    filters: [{ name: 'Stepwise workspace', extensions: ['stepwise'] }],
  });
}
