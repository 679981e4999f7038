// The real engine behind the app's Api, for component tests: the analysis
// commands run the built `stepwise` CLI (STEPWISE_CLI) on a real workspace
// made in a temp dir from a generated clickstream, so a screen's test sees
// what the engine answers to the spec the screen built -- no fake results.
//
// What the CLI cannot do (yet) is not faked as an engine answer: saved items
// are kept in memory (no `stepwise save` in this build), the value pickers'
// lists come from the generated file the workspace imported, and commands
// with no CLI counterpart (dialogs, clipboard, import progress) are vi.fn()
// stubs that reject.
import type { ClickhouseConnection } from '../lib/bindings/ClickhouseConnection';
import type { EventTag } from '../lib/bindings/EventTag';
import type { TaggedEvent } from '../lib/bindings/TaggedEvent';
import { vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Api } from '../lib/api';
import type { DatasetInfo, ItemKind, SavedItem, SpecOfKind, ValueCount } from '../lib/types';
import type { Dropoff } from '../lib/bindings/Dropoff';

export const cli = process.env.STEPWISE_CLI ?? '';
/** The engine tests run only with the built CLI (`make test` sets STEPWISE_CLI). */
export const engineReady = cli !== '' && existsSync(cli);

export interface EngineApi extends Api {
  /** Runs the CLI on the test workspace; parses its output with `--json`. */
  run<T = unknown>(command: string, spec: unknown, extra?: string[]): T;
  workspace: string;
  /** "shop": 20,000 generated events. */
  dataset: DatasetInfo;
  /** "pages": a small report table (a metric table: page path, sessions, users). */
  metrics: DatasetInfo;
}

const PAGES_CSV = 'Page path,Sessions,Users\n/,1000,800\n/category/sale,400,300\n/checkout,120,90\n/checkout/thanks,30,25\n/about,50,40\n';

let shared: { root: string; ws: string; files: Record<string, string>; dataset: DatasetInfo; metrics: DatasetInfo } | null = null;

/** The test workspace (made once per test file): "shop" and "pages". */
function workspace() {
  if (shared) return shared;
  const root = mkdtempSync(join(tmpdir(), 'stepwise-ui-engine-'));
  const ws = join(root, 'ui.stepwise');
  const files = { shop: join(root, 'shop.csv'), pages: join(root, 'pages.csv') };
  execFileSync(cli, ['generate', '--events', '20000', '--out', files.shop], { encoding: 'utf8' });
  writeFileSync(files.pages, PAGES_CSV);
  const load = (name: 'shop' | 'pages'): DatasetInfo => {
    const out = JSON.parse(execFileSync(cli, ['--workspace', ws, 'import', files[name], '--name', name, '--json'], { encoding: 'utf8' }));
    return (out.datasets?.[0] ?? out.dataset ?? out) as DatasetInfo;
  };
  shared = { root, ws, files, dataset: load('shop'), metrics: load('pages') };
  return shared;
}

function unavailable(what: string) {
  return vi.fn(async () => {
    throw { code: 'unavailable', message: `${what} is not available in the engine tests` };
  });
}

export function engineApi(): EngineApi {
  const { root, ws, files, dataset, metrics } = workspace();
  let n = 0;
  const run = <T>(command: string, spec: unknown, extra: string[] = []): T => {
    const path = join(root, `spec-${process.pid}-${++n}.json`);
    writeFileSync(path, JSON.stringify(spec));
    try {
      const out = execFileSync(cli, ['--workspace', ws, command, path, ...extra], { encoding: 'utf8', stdio: 'pipe' });
      if (!extra.includes('--json')) return out as T;
      return JSON.parse(out) as T;
    } catch (e) {
      const stderr = String((e as { stderr?: string }).stderr ?? e).trim();
      throw { code: 'invalid', message: stderr.replace(/^stepwise: /, '') };
    }
  };
  /** A CLI command with no spec file, its `--json` output parsed. */
  const cliJson = <T>(args: string[]): T => {
    try {
      return JSON.parse(execFileSync(cli, args, { encoding: 'utf8', stdio: 'pipe' })) as T;
    } catch (e) {
      throw { code: 'invalid', message: String((e as { stderr?: string }).stderr ?? e).trim().replace(/^stepwise: /, '') };
    }
  };
  const items = new Map<string, SavedItem>();
  const cache = new Map<string, ValueCount[]>();
  const values = (name: string, column: string, limit: number): ValueCount[] => {
    const key = `${name}\u0000${column}`;
    if (!cache.has(key)) cache.set(key, countValues(name, column));
    return cache.get(key)!.slice(0, limit);
  };
  const countValues = (name: string, column: string): ValueCount[] => {
    const lines = readFileSync(files[name as keyof typeof files], 'utf8').trim().split('\n');
    const k = lines[0].split(',').indexOf(column);
    const counts = new Map<string, number>();
    for (const line of lines.slice(1)) {
      const v = line.split(',')[k];
      if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1]).map(([value, count]) => ({ value, count }));
  };

  return {
    run,
    workspace: ws,
    dataset,
    metrics,
    listDatasets: vi.fn(async () => JSON.parse(execFileSync(cli, ['--workspace', ws, 'datasets', '--json'], { encoding: 'utf8' })).datasets),
    workspaceInfo: vi.fn(async () => ({ path: ws, datasets: 2 })),
    datasetValues: vi.fn(async (name: string, column: string, limit: number) => values(name, column, limit)),
    datasetSummary: vi.fn(async () => null),
    runFunnel: vi.fn(async (spec, _chart?, _title?, engine?: 'local' | 'clickhouse') =>
      run('funnel', spec, engine === 'clickhouse' ? ['--engine', 'clickhouse', '--json'] : ['--json']),
    ),
    eventTags: vi.fn(async (dataset: string) => cliJson<TaggedEvent[]>(['--workspace', ws, 'tag', dataset, '--json'])),
    setEventTag: vi.fn(async (dataset: string, event: string, tag: EventTag | null) => {
      cliJson(['--workspace', ws, 'tag', dataset, event, tag ?? 'none', '--json']);
    }),
    getClickhouse: vi.fn(async (dataset: string) => cliJson<ClickhouseConnection | null>(['--workspace', ws, 'connect', dataset, '--json'])),
    setClickhouse: vi.fn(async (dataset: string, c: ClickhouseConnection | null) => {
      const args = c
        ? ['--url', c.url, ...(c.table ? ['--table', c.table] : []), ...(c.row_order ? ['--row-order', c.row_order] : [])]
        : ['--remove'];
      try {
        execFileSync(cli, ['--workspace', ws, 'connect', dataset, ...args], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        throw { code: 'invalid', message: String((e as { stderr?: string }).stderr ?? e).trim().replace(/^stepwise: /, '') };
      }
    }),
    countSegment: vi.fn(async (spec) => run('segment', spec, ['--json'])),
    compare: vi.fn(async (spec, _chart?, engine?: 'local' | 'clickhouse') =>
      run('compare', spec, engine === 'clickhouse' ? ['--engine', 'clickhouse', '--json'] : ['--json']),
    ),
    runPaths: vi.fn(async (spec) => run('paths', spec, ['--json'])),
    runRetention: vi.fn(async (spec) => run('retention', spec, ['--json'])),
    exportPathNode: unavailable('Exporting a path node’s units'),
    exportPathEdge: unavailable('Exporting a path edge’s units'),
    impact: vi.fn(async (spec) => run('impact', spec, ['--json'])),
    exportReport: vi.fn(async (spec, path, format) => run<{ files: string[] }>('report', spec, ['--out', path, '--format', format, '--json']).files),
    // The CLI writes pages as PNG, not SVG: each page the engine drew, wrapped in an SVG of its size.
    reportPages: vi.fn(async (spec) => {
      const out = join(mkdtempSync(join(root, 'pages-')), 'page.png');
      const pngs = run<{ files: string[] }>('report', spec, ['--out', out, '--format', 'png', '--json']).files;
      return pngs.map((f) => {
        const png = readFileSync(f);
        const [w, h] = [png.readUInt32BE(16), png.readUInt32BE(20)];
        return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}"><image width="${w}" height="${h}" href="data:image/png;base64,${png.toString('base64')}"/></svg>`;
      });
    }),
    // Saved through the engine (`stepwise save` refuses a spec that is not its kind's type) and
    // listed as the engine lists it (`stepwise saved KIND --json`), only what this api saved.
    saveItem: vi.fn(async <K extends ItemKind>(kind: K, name: string, spec: SpecOfKind[K]) => {
      const path = join(root, `saved-${process.pid}-${++n}.json`);
      writeFileSync(path, JSON.stringify(spec));
      try {
        execFileSync(cli, ['--workspace', ws, 'save', kind, name, path], { encoding: 'utf8', stdio: 'pipe' });
      } catch (e) {
        throw { code: 'invalid', message: String((e as { stderr?: string }).stderr ?? e).trim() };
      }
      items.set(`${kind}:${name}`, { kind, name, spec, updated_at: '' } as SavedItem);
    }),
    listItems: vi.fn(async (kind: ItemKind) => {
      const out = JSON.parse(execFileSync(cli, ['--workspace', ws, 'saved', kind, '--json'], { encoding: 'utf8' })) as { items: SavedItem[] };
      return out.items.filter((i) => items.has(`${i.kind}:${i.name}`));
    }) as unknown as Api['listItems'],
    deleteItem: vi.fn(async (kind: ItemKind, name: string) => items.delete(`${kind}:${name}`)),
    importFiles: unavailable('Importing through the window'),
    reimportDataset: unavailable('Re-importing'),
    cancelImport: unavailable('Cancelling an import'),
    cancelAnalyses: unavailable('Cancelling an analysis'),
    deleteDataset: unavailable('Deleting a dataset'),
    renameDataset: unavailable('Renaming a dataset'),
    previewRows: unavailable('The preview grid'),
    funnelDropoff: vi.fn(async (spec, step, limit) => {
      const d = run<Dropoff>('funnel', spec, ['--dropped', String(step + 1), '--json']);
      return { ...d, rows: d.rows.slice(0, limit) };
    }),
    exportDropoff: vi.fn(async (spec, step, path) => run<Dropoff>('funnel', spec, ['--dropped', String(step + 1), '--csv', path, '--json']).count),
    copyChart: unavailable('The clipboard'),
    saveChartPng: unavailable('Saving a chart'),
    fileTables: unavailable('Listing a file’s sheets'),
    appendDataset: unavailable('Appending'),
    recentWorkspaces: vi.fn(async () => []),
    openWorkspace: unavailable('Switching workspaces'),
    importSample: unavailable('The sample import'),
    exportAudience: vi.fn(async (spec, path) => run<{ members: number }>('segment', spec, ['--csv', path, '--json']).members),
    // `funnel|compare|impact SPEC --export FILE` writes the table the session's export_table writes
    // (paths' edge table: `paths SPEC --export FILE --edges`)
    exportTable: vi.fn(async (analysis, spec, path) => {
      if (analysis === 'paths_edges') run('paths', spec, ['--export', path, '--edges', '--json']);
      else run(analysis, spec, ['--export', path, '--json']);
      return path;
    }),
    // `stepwise value SPEC --json` prints the result with `shown`, as run_value returns it
    runValue: vi.fn(async (spec) => run('value', spec, ['--json'])),
    exportWasted: unavailable('The wasted-traffic audience'),
    planSampleSize: vi.fn(async (input) => {
      const args = ['plan', '--baseline', String(input.baseline), '--json'];
      args.push(input.relative ? '--mde' : '--mde-points', String(input.mde));
      // the session's alpha: 1 - confidence, rounded as it rounds it
      if (input.confidence !== undefined) args.push('--alpha', String(Math.round((1 - input.confidence) * 1e12) / 1e12));
      if (input.power !== undefined) args.push('--power', String(input.power));
      if (input.daily_traffic !== undefined) args.push('--daily', String(input.daily_traffic));
      if (input.variants !== undefined) args.push('--arms', String(input.variants));
      return cliJson(args);
    }),
    sampleRatioCheck: vi.fn(async (observed: number[], planned?: number[]) =>
      cliJson(['srm', ...observed.map(String), ...(planned ? ['--planned', planned.join(',')] : []), '--json']),
    ),
  };
}
