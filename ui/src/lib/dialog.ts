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
