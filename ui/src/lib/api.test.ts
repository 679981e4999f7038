import { afterEach, describe, expect, it, vi } from 'vitest';

const invoke = vi.fn(async (..._args: unknown[]) => []);
vi.mock('@tauri-apps/api/core', () => ({
  invoke: (...a: unknown[]) => invoke(...a),
  Channel: class {
    onmessage: ((m: unknown) => void) | null = null;
  },
}));

const { tauriApi, toErrorInfo } = await import('./api');

afterEach(() => {
  invoke.mockClear();
  delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
});

describe('tauriApi', () => {
  it('calls the Rust commands by their names with camelCase arguments', async () => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    await tauriApi.listDatasets();
    await tauriApi.previewRows('shop', 200, 100);
    await tauriApi.renameDataset('a', 'b');
    await tauriApi.deleteDataset('b');
    const seen: unknown[] = [];
    await tauriApi.importFiles(['/x.csv'], (e) => seen.push(e));
    await tauriApi.runFunnel({ dataset: 'shop', steps: [] });
    expect(invoke.mock.calls.map((c) => c[0])).toEqual([
      'list_datasets',
      'preview_rows',
      'rename_dataset',
      'delete_dataset',
      'import_files',
      'run_funnel',
    ]);
    expect(invoke.mock.calls[1][1]).toEqual({ name: 'shop', offset: 200, limit: 100 });
    expect(invoke.mock.calls[2][1]).toEqual({ from: 'a', to: 'b' });
    const importArgs = invoke.mock.calls[4][1] as { paths: string[]; onProgress: { onmessage: (m: unknown) => void } };
    expect(importArgs.paths).toEqual(['/x.csv']);
    // Progress messages on the channel reach the caller.
    importArgs.onProgress.onmessage({ file: '/x.csv', progress: { stage: 'reading' } });
    expect(seen).toHaveLength(1);
    expect(invoke.mock.calls[5][1]).toEqual({ spec: { dataset: 'shop', steps: [] } });
  });

  it('outside the desktop window, rejects in words instead of calling', async () => {
    await expect(tauriApi.listDatasets()).rejects.toMatchObject({ code: 'no_shell' });
    expect(invoke).not.toHaveBeenCalled();
  });
});

describe('a command the shell lacks', () => {
  it('rejects in words naming the command', async () => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    invoke.mockImplementationOnce(async () => {
      throw 'command run_funnel not found';
    });
    await expect(tauriApi.runFunnel({ dataset: 'x', steps: [] })).rejects.toEqual({
      code: 'internal',
      message: 'This build of Stepwise cannot do that yet: its desktop shell has no "run_funnel" command.',
    });
  });
});

describe('toErrorInfo', () => {
  it('keeps {code, message}, wraps strings and errors', () => {
    expect(toErrorInfo({ code: 'bad_input', message: 'row 3' })).toEqual({ code: 'bad_input', message: 'row 3' });
    expect(toErrorInfo('plain')).toEqual({ code: 'internal', message: 'plain' });
    expect(toErrorInfo(new TypeError('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toErrorInfo(undefined).message).toContain('Something went wrong');
  });
});

describe('errors in words (never raw Tauri or command-line text)', () => {
  it('an invalid-args rejection becomes a sentence naming the field', () => {
    const raw = 'invalid args `spec` for command `count_segment`: missing field `measure` at line 1 column 80';
    const info = toErrorInfo(raw);
    expect(info.code).toBe('invalid');
    expect(info.message).not.toMatch(/invalid args|count_segment|`/);
    expect(info.message).toContain('counting the persona');
    expect(info.message).toContain('“measure”');
    const variant = toErrorInfo('invalid args `spec` for command `run_funnel`: unknown variant `sometimes`, expected `any` or `all`');
    expect(variant.message).toContain('computing the funnel');
    expect(variant.message).toContain('“sometimes”');
    expect(variant.message).not.toContain('`');
  });

  it('a command-line hint in an engine message is said the way the app does it', () => {
    const info = toErrorInfo({
      code: 'invalid',
      message: 'dataset "rees" has no page column; map one with --map page=COLUMN',
    });
    expect(info.code).toBe('invalid');
    expect(info.message).not.toContain('--map');
    expect(info.message).toContain('dataset "rees" has no page column');
    expect(info.message).toContain('mapping screen');
    const sheet = toErrorInfo({ code: 'invalid', message: 'the file has 3 sheets; import another with the sheet picker (CLI: --sheet)' });
    expect(sheet.message).not.toContain('--sheet');
  });
});

