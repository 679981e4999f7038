// The specs the builder writes, run by the real engine through the CLI.
// Needs STEPWISE_CLI (path to the built `stepwise` binary) and the real
// exports (STEPWISE_SHARED_DATA, default ../../shared/data/real from the repo
// root); without them it says so and skips.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSpec, emptyDraft, newFilter, newStep } from './funnel';
import type { DatasetInfo, FunnelResult } from './types';

const cli = process.env.STEPWISE_CLI ?? '';
const data = process.env.STEPWISE_SHARED_DATA ?? resolve(process.cwd(), '../../shared/data/real');
const ready = cli !== '' && existsSync(cli) && existsSync(data);
if (!ready) console.log('engine integration: set STEPWISE_CLI and STEPWISE_SHARED_DATA to run the builder specs through the CLI');

function stepwise(ws: string, args: string[]): string {
  return execFileSync(cli, ['--workspace', ws, ...args], { encoding: 'utf8' });
}

function imported(ws: string, file: string, name: string): DatasetInfo {
  const out = JSON.parse(stepwise(ws, ['import', join(data, file), '--name', name, '--json']));
  const ds = (out.datasets?.[0] ?? out.dataset ?? out) as DatasetInfo;
  expect(ds.name).toBe(name);
  expect(ds.columns.length).toBeGreaterThan(0);
  return ds;
}

function run(ws: string, spec: unknown): FunnelResult {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-spec-'));
  const path = join(dir, 'spec.json');
  writeFileSync(path, JSON.stringify(spec));
  return JSON.parse(stepwise(ws, ['funnel', path, '--json'])) as FunnelResult;
}

describe.skipIf(!ready)('builder specs on the real engine', () => {
  const ws = join(mkdtempSync(join(tmpdir(), 'stepwise-ws-')), 'test.stepwise');

  it('an event funnel with every option is accepted and counts never rise', () => {
    const ds = imported(ws, 'datasets/rees46_ecommerce_events_2019-10_head.csv', 'rees46');
    const d = emptyDraft('rees46');
    d.steps = [newStep('event', 'view'), newStep('event', 'cart'), newStep('event', 'purchase')];
    d.steps[0].label = 'Viewed';
    const plain = run(ws, buildSpec(d, ds.columns));
    expect(plain.steps.map((s) => s.label)).toEqual(['Viewed', 'cart', 'purchase']);
    expect(plain.steps[0].count).toBeGreaterThan(0);
    for (let k = 1; k < plain.steps.length; k++) expect(plain.steps[k].count).toBeLessThanOrEqual(plain.steps[k - 1].count);

    d.order = 'strict';
    d.windowAmount = 12;
    d.windowUnit = 'h';
    d.count = 'sessions';
    d.where = [{ ...newFilter('price'), op: 'gt', value: '1' }];
    d.dateFrom = '2019-10-01';
    d.dateTo = '2019-10-31';
    d.exclude = [{ id: 1, kind: 'event', value: 'remove_from_cart', pageMode: 'exact', fromStep: 1, toStep: 2 }];
    d.breakdownColumn = 'brand';
    d.breakdownLimit = 3;
    d.trend = 'day';
    d.timeToConvert = true;
    const full = run(ws, buildSpec(d, ds.columns));
    expect(full.steps).toHaveLength(3);
    expect(full.unit).toBe('sessions');
    expect(full.breakdown!.length).toBeLessThanOrEqual(4); // top 3 and "Other"
    expect(Array.isArray(full.trend)).toBe(true);
    expect(full.time_to_convert).toBeTruthy();
  });

  it("a metric-table funnel matches SOURCES.md's counts", () => {
    const ds = imported(ws, 'ga/ga4_events_ecommerce_teefusion.csv', 'teefusion');
    const d = emptyDraft('teefusion');
    d.kind = 'metrics';
    d.dimension = 'Event name';
    d.metric = 'Total users';
    d.steps = ['view_item_list', 'select_item', 'view_item'].map((v) => newStep('value', v));
    const r = run(ws, buildSpec(d, ds.columns));
    expect(r.steps.map((s) => s.count)).toEqual([572, 263, 31]);
  });
});
