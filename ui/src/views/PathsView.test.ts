// The paths screen's table export against the real engine: Export CSV writes
// the table chosen (nodes or edges), Export XLSX of the nodes both tables as
// two sheets, each as `stepwise paths --export` writes it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PathsView from './PathsView.svelte';
import { setApi } from '../lib/api';
import { app } from '../lib/app.svelte';
import { queueSavePath } from '../lib/dialog';
import { emptyPaths } from '../lib/paths';
import { cli, engineApi, engineReady } from '../test/engineApi';
import type { PathsResult, PathsSpec } from '../lib/types';

afterEach(() => {
  cleanup();
  app.datasets = [];
});

describe.skipIf(!engineReady)('the paths screen', () => {
  it('exports the node table or the edge table as CSV, both as XLSX sheets, as the CLI writes them', { timeout: 60_000 }, async () => {
    const api = engineApi();
    setApi(api);
    app.datasets = [api.dataset];
    render(PathsView, { props: { seed: { ...emptyPaths('shop'), target: 'view_item', levels: 2 } } });
    await waitFor(() => expect(screen.getAllByTestId('paths-row').length).toBeGreaterThan(2));
    const spec = vi.mocked(api.runPaths).mock.calls.at(-1)![0] as PathsSpec;
    const want = api.run<PathsResult>('paths', spec, ['--json']);
    expect(want.edges.length).toBeGreaterThan(2);

    const dir = mkdtempSync(join(tmpdir(), 'stepwise-paths-export-'));
    const nodes = join(dir, 'nodes.csv');
    const edges = join(dir, 'edges.csv');
    const both = join(dir, 'paths.xlsx');
    queueSavePath(nodes);
    await fireEvent.click(screen.getByTestId('paths-export-csv'));
    await waitFor(() => expect(existsSync(nodes)).toBe(true));
    await fireEvent.change(screen.getByTestId('paths-export-table'), { target: { value: 'paths_edges' } });
    queueSavePath(edges);
    await fireEvent.click(screen.getByTestId('paths-export-csv'));
    await waitFor(() => expect(existsSync(edges)).toBe(true));
    await fireEvent.change(screen.getByTestId('paths-export-table'), { target: { value: 'paths' } });
    queueSavePath(both);
    await fireEvent.click(screen.getByTestId('paths-export-xlsx'));
    await waitFor(() => expect(existsSync(both)).toBe(true));
    expect(vi.mocked(api.exportTable).mock.calls.map((c) => [c[0], c[3]])).toEqual([
      ['paths', 'csv'],
      ['paths_edges', 'csv'],
      ['paths', 'xlsx'],
    ]);

    // the CLI's own files for the same spec: the same bytes
    const specFile = join(dir, 'spec.json');
    writeFileSync(specFile, JSON.stringify(spec));
    const ws = join(dir, 'cli.stepwise');
    const cliOut = (file: string, ...more: string[]) => {
      execFileSync(cli, ['--workspace', api.workspace, 'paths', specFile, '--export', file, ...more], { encoding: 'utf8' });
      return readFileSync(file, 'utf8');
    };
    expect(readFileSync(nodes, 'utf8')).toBe(cliOut(join(dir, 'cli-nodes.csv')));
    expect(readFileSync(edges, 'utf8')).toBe(cliOut(join(dir, 'cli-edges.csv'), '--edges'));

    // the node CSV: a row per node; the edge CSV: a row per edge, its nodes' names and count
    const rows = (file: string) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(','));
    expect(rows(nodes)).toHaveLength(want.nodes.length + 1);
    const e = rows(edges);
    expect(e[0].slice(0, 5)).toEqual(['From column', 'From', 'To column', 'To', 'Users']);
    expect(e.slice(1).map((r) => [r[1], r[3], Number(r[4])])).toEqual(
      want.edges.map((x) => [want.nodes[x.from].name, want.nodes[x.to].name, x.count]),
    );

    // the workbook: sheets "Nodes" and "Edges", read back by the importer
    for (const [sheet, n] of [
      ['Nodes', want.nodes.length],
      ['Edges', want.edges.length],
    ] as const) {
      const out = JSON.parse(
        execFileSync(cli, ['--workspace', `${ws}-${sheet}`, 'import', both, '--sheet', sheet, '--name', sheet, '--json'], {
          encoding: 'utf8',
        }),
      );
      expect(out.datasets[0].rows).toBe(n);
    }
  });
});
