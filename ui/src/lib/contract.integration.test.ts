// The contract between the app and the engine, tested with the real engine
// (issue 13 item 2): random drafts built through the UI's own builder
// functions -- every condition kind, nesting and negation of the persona
// builder, every funnel, comparison, impact and report option the screens
// offer -- are written as JSON and parsed and run by the real `stepwise` CLI
// on a real workspace (a generated clickstream imported into a temp dir).
// A draft the screen would send must be accepted and run. Seeded, so a
// failure names the draft that fails, reproducibly.
//
// Needs STEPWISE_CLI (the built `stepwise` binary; `make test` sets it).
import { describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUYER_STATUS, buildSpec, emptyDraft, newFilter, newStep, validate, WINDOW_UNITS, type FilterDraft, type FunnelDraft, type PageMode } from './funnel';
import {
  buildSegment,
  emptySegment,
  METRICS,
  newCondition,
  SEGMENT_COLOURS,
  validateSegment,
  type ConditionDraft,
  type GroupDraft,
  type SegmentDraft,
} from './segment';
import { buildCompare, emptyCompare } from './compare';
import { buildImpact, emptyImpact } from './impact';
import { buildValueSpec, effortProblems, emptyValueDraft } from './value';
import { buildPaths, dropoffPaths, emptyPaths } from './paths';
import { buildRetention, emptyRetention } from './retention';
import type { ValueSpec } from './bindings/ValueSpec';
import * as reports from './report';
import { FILTER_OPS, type ColumnInfo, type DatasetInfo, type FilterOp, type ReportSpecSection, type SavedItem } from './types';

const cli = process.env.STEPWISE_CLI ?? '';
const ready = cli !== '' && existsSync(cli);
if (!ready) console.log('contract test: set STEPWISE_CLI to the built stepwise binary to run the builders against the engine');

// ---------------------------------------------------------------- the engine

const root = ready ? mkdtempSync(join(tmpdir(), 'stepwise-contract-')) : '';
const ws = join(root, 'contract.stepwise');
let fileNo = 0;

function specFile(spec: unknown): string {
  const path = join(root, `spec-${++fileNo}.json`);
  writeFileSync(path, JSON.stringify(spec, null, 1));
  return path;
}

/** Runs the CLI; resolves with stdout, rejects with stderr (the engine's words). */
function stepwise(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cli, ['--workspace', ws, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      err ? reject(new Error(`stepwise ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(stdout),
    ),
  );
}

/**
 * What the engine may answer about the data rather than the spec: a spec it
 * parsed and ran, whose question has no answer on this data (the app shows
 * these words as they are). Anything else is a broken contract.
 */
const ANSWERS_ABOUT_THE_DATA = [
  /nobody entered the funnel/,
  /the baseline "[^"]*" is not one of the groups/,
  // a value table of a funnel whose goal no one reached, or whose goal events carry no value
  /no one reached the goal/,
  /none of the \S+ goal events has a value/,
  /the what-if at step \d+ cannot be sized: no one reached/,
  // "as well as persona P": P has no units before the step, or every unit there is P's
  /none of “[^”]*”'s units reached step \d+/,
  /is one of “[^”]*”'s: there is no one else to convert like them/,
];
let answeredAboutData = 0;

/** Runs every job, at most `width` at a time; returns the failures in words. */
async function runAll(jobs: { what: string; spec: unknown; run: () => Promise<void> }[], width = 3): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      try {
        await job.run();
      } catch (e) {
        if (ANSWERS_ABOUT_THE_DATA.some((r) => r.test((e as Error).message))) {
          answeredAboutData++;
          continue;
        }
        failures.push(`${job.what}\n  spec: ${JSON.stringify(job.spec)}\n  ${(e as Error).message.split('\n').join('\n  ')}`);
      }
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return failures;
}

// ---------------------------------------------------------------- randomness

/** mulberry32: a small seeded PRNG, so every run builds the same drafts. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof prng>;

// ---------------------------------------------------------------- the data

interface Data {
  columns: ColumnInfo[];
  /** Distinct values per column, from the generated file. */
  values: Record<string, string[]>;
}

function loadData(csv: string, info: DatasetInfo): Data {
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const sets: Record<string, Set<string>> = Object.fromEntries(header.map((h) => [h, new Set<string>()]));
  for (const line of lines.slice(1)) line.split(',').forEach((v, i) => v !== '' && sets[header[i]].add(v));
  const values = Object.fromEntries(Object.entries(sets).map(([k, s]) => [k, [...s].sort().slice(0, 200)]));
  return { columns: info.columns, values };
}

const PAGE_MODES: PageMode[] = ['exact', 'glob', 'regex'];

/** A page pattern in the given mode that matches some of the data's pages. */
function pageIn(rng: Rng, data: Data, mode: PageMode): string {
  const page = rng.pick(data.values.page);
  if (mode === 'exact') return page;
  const head = page.split('/').slice(0, 2).join('/') || '/';
  return mode === 'glob' ? `${head}*` : `^${head.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
}

/** A filter the filter rows can produce: any column, any operator, a value typed into the box. */
function filterDraft(rng: Rng, data: Data): FilterDraft {
  const col = rng.pick(data.columns.filter((c) => c.type !== 'timestamp'));
  const f = newFilter(col.name);
  f.op = rng.pick(FILTER_OPS);
  f.value = filterValue(rng, data, col, f.op);
  return f;
}

function filterValue(rng: Rng, data: Data, col: ColumnInfo, op: FilterOp): string {
  const numeric = col.type === 'integer' || col.type === 'decimal';
  const seen = data.values[col.name] ?? [];
  const some = () => (numeric ? String(rng.pick([0, 1, 9.5, 25, 100])) : rng.pick(seen.length ? seen : ['x']));
  switch (op) {
    case 'is_set':
    case 'is_not_set':
      return '';
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return String(rng.pick([0, 1, 9.5, 25, 100]));
    case 'in':
    case 'not_in':
      return [some(), some()].join(', ');
    case 'regex':
      return rng.pick(['^/', 'a', '.*', '^(mobile|desktop)$', '\\d']);
    case 'contains':
    case 'not_contains':
    case 'starts_with':
      return some().slice(0, rng.int(1, 3));
    default:
      return some();
  }
}

// ---------------------------------------------------------------- personas

function randomCondition(rng: Rng, data: Data, depth: number): ConditionDraft {
  const kinds: ConditionDraft['type'][] = depth < 2 ? ['property', 'behaviour', 'value', 'group'] : ['property', 'behaviour', 'value'];
  const c = newCondition(rng.pick(kinds));
  switch (c.type) {
    case 'property': {
      const col = rng.pick(data.columns.filter((x) => x.type !== 'timestamp'));
      c.column = col.name;
      c.op = rng.pick(FILTER_OPS);
      c.value = filterValue(rng, data, col, c.op);
      c.valueOf = rng.pick(['ever', 'first', 'last'] as const);
      break;
    }
    case 'behaviour': {
      c.did = rng.chance(0.7);
      c.kind = rng.pick(['event', 'page'] as const);
      c.target = c.kind === 'event' ? rng.pick(data.values.event) : pageIn(rng, data, rng.pick(['exact', 'glob'] as const));
      c.atLeast = rng.chance(0.5) ? rng.int(1, 3) : '';
      c.atMost = rng.chance(0.3) ? rng.int(3, 6) : '';
      c.withinDays = rng.chance(0.4) ? rng.int(1, 14) : '';
      break;
    }
    case 'value': {
      c.metric = rng.pick(METRICS).metric;
      c.op = rng.pick(['gt', 'gte', 'lt', 'lte', 'eq'] as const);
      c.value = c.metric === 'first_seen' ? `2024-09-${String(rng.int(1, 28)).padStart(2, '0')}` : String(rng.pick([0, 1, 2, 10, 50.5]));
      break;
    }
    case 'group': {
      c.match = rng.pick(['all', 'any'] as const);
      c.negate = rng.chance(0.5);
      c.conditions = Array.from({ length: rng.int(1, 3) }, () => randomCondition(rng, data, depth + 1));
      break;
    }
  }
  return c;
}

function randomPersona(rng: Rng, data: Data, name: string): SegmentDraft {
  const d = emptySegment('shop', rng.pick(SEGMENT_COLOURS));
  d.name = name;
  if (rng.chance(0.5)) d.description = 'Built by the contract test';
  d.root.match = rng.pick(['all', 'any'] as const);
  d.root.conditions = Array.from({ length: rng.int(1, 3) }, () => randomCondition(rng, data, 0));
  return d;
}

/** Every kind of condition, each negated too, nested two deep. */
function everyKindPersona(data: Data): SegmentDraft {
  const rng = prng(7);
  const d = emptySegment('shop');
  d.name = 'every kind';
  const kinds = ['property', 'behaviour', 'value'] as const;
  const leaves = kinds.map((k) => {
    let c: ConditionDraft;
    do c = randomCondition(rng, data, 2);
    while (c.type !== k);
    return c;
  });
  const inner = newCondition('group') as GroupDraft;
  inner.conditions = leaves;
  const negated = newCondition('group') as GroupDraft;
  negated.negate = true;
  negated.conditions = [inner];
  d.root.match = 'any';
  d.root.conditions = [...leaves, negated];
  return d;
}

// ---------------------------------------------------------------- funnels

function randomFunnel(rng: Rng, data: Data, personas: string[]): FunnelDraft {
  const d = emptyDraft('shop');
  d.name = `funnel ${rng.int(1, 1e6)}`;
  const n = rng.int(1, 4);
  d.steps = Array.from({ length: n }, () => {
    const kind = rng.pick(['event', 'page'] as const);
    const mode = rng.pick(PAGE_MODES);
    const s = newStep(kind, kind === 'event' ? rng.pick(data.values.event) : pageIn(rng, data, mode));
    if (kind === 'page') s.pageMode = mode;
    if (rng.chance(0.3)) s.label = `Step ${rng.int(1, 99)}`;
    if (rng.chance(0.2)) s.where = [filterDraft(rng, data)];
    return s;
  });
  d.order = rng.pick(['ordered', 'strict', 'unordered'] as const);
  if (d.order !== 'unordered') {
    // optional steps (neither first nor last) and open funnels
    d.steps.forEach((s, i) => {
      if (i > 0 && i < n - 1 && rng.chance(0.3)) s.optional = true;
    });
    d.open = rng.chance(0.25);
  }
  d.count = rng.pick(['users', 'sessions'] as const);
  d.windowUnit = rng.pick(WINDOW_UNITS).unit;
  d.windowAmount = rng.int(1, 30);
  if (rng.chance(0.3)) d.where = [filterDraft(rng, data)];
  if (rng.chance(0.3)) {
    d.dateFrom = `2024-09-0${rng.int(1, 9)}`;
    if (rng.chance(0.7)) d.dateTo = `2024-09-${rng.int(10, 30)}`;
  }
  if (n >= 2 && rng.chance(0.3)) {
    const kind = rng.pick(['event', 'page'] as const);
    const pageMode = rng.pick(PAGE_MODES);
    const value = kind === 'event' ? rng.pick(data.values.event) : pageIn(rng, data, pageMode);
    const fromStep = rng.int(0, n - 2);
    d.exclude = [{ id: 1, kind, value, pageMode, fromStep, toStep: rng.int(fromStep + 1, n - 1) }];
  }
  if (rng.chance(0.4)) {
    d.breakdownColumn = rng.pick(['device_category', 'source', 'country', BUYER_STATUS]);
    d.attribution = rng.pick(['first_touch', 'last_touch', 'step'] as const);
    d.breakdownStep = rng.int(0, n - 1);
    d.breakdownLimit = rng.int(1, 12);
  }
  if (rng.chance(0.25)) d.holdColumn = rng.pick(data.columns.filter((c) => c.role !== 'time')).name;
  if (personas.length && rng.chance(0.3)) d.segmentName = rng.pick(personas);
  if (rng.chance(0.3)) d.trend = rng.pick(['day', 'week', 'month'] as const);
  if (n >= 2 && rng.chance(0.3)) {
    d.timeToConvert = true;
    d.ttcFrom = rng.int(0, n - 2);
    d.ttcTo = rng.chance(0.5) ? -1 : rng.int(d.ttcFrom + 1, n - 1);
    d.ttcBins = rng.int(1, 30);
  }
  return d;
}

// ---------------------------------------------------------------- the test

describe.skipIf(!ready)('the UI builders against the real engine', () => {
  it('every draft the builders make is parsed and run by the engine', { timeout: 120_000 }, async () => {
    const csv = join(root, 'shop.csv');
    execFileSync(cli, ['generate', '--events', '20000', '--out', csv], { encoding: 'utf8' });
    const imported = JSON.parse(await stepwise(['import', csv, '--name', 'shop', '--json']));
    const info = (imported.datasets?.[0] ?? imported.dataset ?? imported) as DatasetInfo;
    const data = loadData(csv, info);
    // A report table (a metric table) for metric-table funnels and report sections.
    const pagesCsv = join(root, 'pages.csv');
    writeFileSync(
      pagesCsv,
      'Page path,Device,Sessions,Users\n/,mobile,1000,800\n/,desktop,700,500\n/category/sale,mobile,400,300\n/checkout,mobile,120,90\n/checkout,desktop,90,70\n/checkout/thanks,mobile,30,25\n/about,desktop,50,40\n',
    );
    const pagesInfo = JSON.parse(await stepwise(['import', pagesCsv, '--name', 'pages', '--json']));
    const pagesDataset = (pagesInfo.datasets?.[0] ?? pagesInfo.dataset ?? pagesInfo) as DatasetInfo;
    const pages = loadData(pagesCsv, pagesDataset);
    expect(pages.columns.length).toBe(4);
    const rng = prng(20261204);
    const jobs: { what: string; spec: unknown; run: () => Promise<void> }[] = [];
    const counts = { segment: 0, funnel: 0, compare: 0, impact: 0, report: 0, value: 0 };

    // Personas: 120 random condition trees plus one with every kind, negated and nested.
    const saved = { segments: [] as { kind: 'segment'; name: string; spec: ReturnType<typeof buildSegment>; updated_at: string }[] };
    const personaDrafts = [everyKindPersona(data), ...Array.from({ length: 120 }, (_, i) => randomPersona(rng, data, `persona ${i}`))];
    for (const d of personaDrafts) {
      if (validateSegment(d, data.columns).length > 0) continue;
      const spec = buildSegment(d, data.columns);
      saved.segments.push({ kind: 'segment', name: d.name, spec, updated_at: '' });
      counts.segment++;
      jobs.push({
        what: `persona "${d.name}"`,
        spec,
        run: async () => {
          const r = JSON.parse(await stepwise(['segment', specFile(spec), '--json']));
          expect(r.members).toBeGreaterThanOrEqual(0);
          expect(r.members).toBeLessThanOrEqual(r.total_units);
        },
      });
    }
    const personaNames = saved.segments.map((s) => s.name);

    // Funnels: every option of the funnel screen.
    const funnels: { kind: 'funnel'; name: string; spec: ReturnType<typeof buildSpec>; updated_at: string }[] = [];
    for (let i = 0; i < 100; i++) {
      const d = randomFunnel(rng, data, personaNames);
      if (validate(d, data.columns).length > 0) continue;
      const spec = buildSpec(d, data.columns, saved.segments);
      funnels.push({ kind: 'funnel', name: d.name, spec, updated_at: '' });
      counts.funnel++;
      jobs.push({
        what: `funnel draft ${i}`,
        spec,
        run: async () => {
          const r = JSON.parse(await stepwise(['funnel', specFile(spec), '--json']));
          expect(r.steps).toHaveLength(spec.steps.length);
        },
      });
    }
    expect(funnels.length).toBeGreaterThan(50);
    // the drafts carry optional steps and open funnels
    expect(funnels.filter((f) => f.spec.open).length).toBeGreaterThan(5);
    expect(funnels.filter((f) => f.spec.steps.some((s) => s.optional)).length).toBeGreaterThan(5);

    const valueSpecs: ValueSpec[] = [];
    // Value tables: the Value tab on a funnel: a column or a typed order value, any what-if
    // (relative, points, or as well as a saved persona), efforts typed for some steps.
    let likeDrafts = 0;
    let likeValueDrafts = 0;
    let likeSized = 0;
    let effortDrafts = 0;
    for (let i = 0; i < 60; i++) {
      // the value view refuses optional steps and open funnels (its counts are
      // furthest-step counts), as who-dropped and paths from a step do
      const f = rng.pick(funnels.filter((x) => !x.spec.open && !x.spec.steps.some((st) => st.optional))).spec;
      if (f.steps.length < 2) continue;
      const d = emptyValueDraft(data.columns);
      expect(d.column).toBe('value');
      if (rng.chance(0.4)) {
        d.source = 'per_goal';
        d.perGoal = rng.pick(['49.90', '1,250', '12']);
      }
      if (rng.chance(0.7)) {
        d.whatIfStep = rng.int(2, f.steps.length);
        d.whatIfKind = rng.pick(['relative', 'points', 'like', 'like_value'] as const);
        d.whatIfAmount = rng.pick(['10', '-5', '2.5', '50']);
        if (d.whatIfKind === 'like') d.likePersona = rng.pick(personaNames);
        if (d.whatIfKind === 'like_value') {
          // as the Value tab offers them: a text column (not the user or session) and one of its values
          const col = rng.pick(data.columns.filter((c) => c.type === 'text' && c.role !== 'user' && c.role !== 'session' && (data.values[c.name] ?? []).length > 0));
          d.likeColumn = col.name;
          d.likeValue = rng.pick(data.values[col.name]);
        }
      }
      if (rng.chance(0.7)) {
        for (let k = 2; k <= f.steps.length; k++) d.effort[k] = rng.pick(['1', '3', '10', ' 7 ', '2', '', '11', 'x']);
      }
      const built = buildValueSpec(f, d, saved.segments);
      if (!('spec' in built)) throw new Error(`value draft ${i} refused by the builder: ${built.missing}`);
      const spec = built.spec;
      if (spec.what_if?.like?.segment) {
        expect(spec.what_if.like.segment.name).toBe(d.likePersona);
        likeDrafts++;
      }
      if (spec.what_if?.like?.column) {
        expect(spec.what_if.like).toEqual({ column: d.likeColumn, value: d.likeValue });
        likeValueDrafts++;
      }
      // typed efforts that are not whole numbers 1 to 10 stay out of the spec, said in words
      const typed = Object.values(d.effort).filter((t) => t.trim() !== '');
      const bad = typed.filter((t) => !['1', '2', '3', '10', '7'].includes(t.trim()));
      expect(effortProblems(d, f.steps.length)).toHaveLength(bad.length);
      expect(Object.keys(spec.effort ?? {})).toHaveLength(typed.length - bad.length);
      if (spec.effort) effortDrafts++;
      valueSpecs.push(spec);
      counts.value++;
      jobs.push({
        what: `value draft ${i}`,
        spec,
        run: async () => {
          const r = JSON.parse(await stepwise(['value', specFile(spec), '--json']));
          expect(r.steps).toHaveLength(spec.steps.length);
          expect(r.shown.value.table.rows).toHaveLength(spec.steps.length);
          expect(r.what_if === null).toBe(spec.what_if === undefined);
          expect(r.shown.opportunities.table.rows).toHaveLength(r.opportunities.length);
          // the ICE table: a row per opportunity; an effort typed gives Ease = 11 - effort and an ICE score
          expect(r.shown.priorities.table.rows).toHaveLength(r.opportunities.length);
          for (const p of r.priorities) {
            const e = spec.effort?.[String(p.step)];
            expect(p.effort).toBe(e ?? null);
            expect(p.ice).toBe(e === undefined ? null : p.impact * p.confidence * (11 - e));
          }
          if (spec.what_if?.like?.segment) {
            expect(r.what_if.like.name).toBe(spec.what_if.like.segment.name);
            expect(r.what_if.like.prev + r.what_if.like.rest_prev).toBe(r.steps[spec.what_if.step - 2].count);
            likeSized++;
          }
          expect(r.shown.wasted_rows).toHaveLength(r.shown.wasted.table.rows.length);
        },
      });
    }
    expect(counts.value).toBeGreaterThan(30);
    expect(likeDrafts).toBeGreaterThan(5);
    expect(likeValueDrafts).toBeGreaterThan(3);
    expect(effortDrafts).toBeGreaterThan(5);

    // Metric-table funnels: steps pick values of a dimension (exact, glob, regex), a metric summed.
    for (let i = 0; i < 25; i++) {
      const d = emptyDraft('pages');
      d.kind = 'metrics';
      d.dimension = rng.pick(['Page path', 'Device']);
      d.metric = rng.pick(['Sessions', 'Users']);
      d.steps = Array.from({ length: rng.int(1, 4) }, () => {
        const mode = rng.pick(PAGE_MODES);
        const v = rng.pick(pages.values[d.dimension]);
        const s = newStep('value', mode === 'glob' ? `${v.slice(0, 2)}*` : mode === 'regex' ? `^${v.slice(0, 2)}` : v);
        s.pageMode = mode;
        if (rng.chance(0.3)) s.label = `Step ${i}`;
        return s;
      });
      if (rng.chance(0.3)) d.where = [{ ...newFilter('Device'), op: rng.pick(['eq', 'ne', 'contains'] as const), value: rng.pick(['mobile', 'desk']) }];
      if (validate(d, pages.columns).length > 0) continue;
      const spec = buildSpec(d, pages.columns);
      counts.funnel++;
      jobs.push({
        what: `metric-table funnel draft ${i}`,
        spec,
        run: async () => {
          const r = JSON.parse(await stepwise(['funnel', specFile(spec), '--json']));
          expect(r.steps).toHaveLength(spec.steps.length);
        },
      });
    }

    // Comparisons: personas (with "everyone else") or a column, any baseline.
    const compares: SavedItem<'compare'>[] = [];
    for (let i = 0; i < 40; i++) {
      const d = emptyCompare();
      // a comparison refuses open funnels (the engine says why: the last step may count more than the first)
      d.funnel = rng.pick(funnels.filter((f) => !f.spec.open)).name;
      d.mode = rng.pick(['personas', 'column'] as const);
      if (d.mode === 'personas') {
        d.personas = Array.from({ length: rng.int(1, 3) }, () => rng.pick(personaNames)).filter((x, k, a) => a.indexOf(x) === k);
        d.everyoneElse = rng.chance(0.5);
        d.baseline = rng.chance(0.5) ? rng.pick(d.personas) : '';
      } else {
        d.column = rng.pick(['device_category', 'source', 'country']);
        d.baseline = rng.chance(0.3) ? rng.pick(data.values[d.column]) : '';
      }
      const built = buildCompare(d, funnels, saved.segments);
      if (!('spec' in built)) continue;
      const spec = built.spec;
      compares.push({ kind: 'compare', name: `comparison ${i}`, spec, updated_at: '' });
      counts.compare++;
      jobs.push({
        what: `comparison draft ${i}`,
        spec,
        run: async () => {
          const r = JSON.parse(await stepwise(['compare', specFile(spec), '--json']));
          expect((r.segments ?? r.groups).length).toBeGreaterThan(0);
        },
      });
    }

    // Impact: event or page goal, chosen or automatic candidates, typed or column order value.
    const impacts: SavedItem<'impact'>[] = [];
    for (let i = 0; i < 40; i++) {
      const d = emptyImpact('shop');
      d.goalKind = rng.pick(['event', 'page'] as const);
      d.goal = d.goalKind === 'event' ? rng.pick(['purchase', 'add_to_cart', 'begin_checkout', ...data.values.event]) : pageIn(rng, data, rng.pick(['exact', 'glob'] as const));
      d.candidates = rng.chance(0.5)
        ? []
        : Array.from({ length: rng.int(1, 4) }, () => (rng.chance(0.5) ? rng.pick(data.values.event) : rng.pick(data.values.page)));
      d.windowUnit = rng.pick(WINDOW_UNITS).unit;
      d.windowAmount = rng.int(1, 30);
      d.valueMode = rng.pick(['column', 'typed'] as const);
      d.valueColumn = 'value';
      d.orderValue = rng.chance(0.5) ? String(rng.pick([10, 85, 99.5])) : '';
      const built = buildImpact(d);
      if (!('spec' in built)) continue;
      const spec = built.spec;
      impacts.push({ kind: 'impact', name: `impact ${i}`, spec, updated_at: '' });
      counts.impact++;
      jobs.push({
        what: `impact draft ${i}`,
        spec,
        run: async () => {
          const r = JSON.parse(await stepwise(['impact', specFile(spec), '--json']));
          expect(Array.isArray(r.candidates)).toBe(true);
        },
      });
    }

    // What the Paths and Retention screens hand to a report ("Add to report"), built by their builders.
    const screenSections = {
      value: () => reports.valueSection('What each step is worth', rng.pick(valueSpecs)),
      paths: () => {
        const d = rng.chance(0.5) ? dropoffPaths(rng.pick(funnels.filter((f) => f.spec.steps.length >= 2 && !f.spec.open && !f.spec.steps.some((st) => st.optional))).spec, 1) : emptyPaths('shop');
        if (d.start === 'event') d.target = rng.pick(data.values.event);
        d.direction = rng.pick(['next', 'previous'] as const);
        d.levels = rng.int(1, 5);
        d.by = rng.pick(['event', 'page'] as const);
        const b = buildPaths(d);
        if (!('spec' in b)) throw new Error(`paths draft refused by the builder: ${b.missing}`);
        return reports.pathsSection('Where they went', b.spec);
      },
      retention: () => {
        const d = emptyRetention('shop');
        d.interval = rng.pick(['day', 'week', 'month'] as const);
        d.periods = rng.int(1, 12);
        if (rng.chance(0.5)) {
          d.cohort = 'event';
          d.cohortEvent = 'purchase';
        }
        if (rng.chance(0.5)) {
          d.returns = 'event';
          d.returnEvent = rng.pick(data.values.event);
        }
        if (rng.chance(0.5)) d.goal = 'purchase';
        const b = buildRetention(d);
        if (!('spec' in b)) throw new Error(`retention draft refused by the builder: ${b.missing}`);
        return reports.retentionSection('Who came back', b.spec);
      },
    };

    // Reports, as the report screen saves and exports them: every section kind it offers.
    const sectionKinds = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const draft = reports.emptyReport();
      draft.title = `Report ${i}`;
      if (rng.chance(0.5)) draft.subtitle = 'Contract test';
      for (let k = rng.int(1, 4); k > 0; k--) {
        // every kind of the report screen's table of kinds, made as the screen makes it
        const def = rng.pick(reports.SECTION_KINDS);
        const source: reports.SectionSource =
          def.from === 'table'
            ? { table: pagesDataset }
            : def.from === 'none'
              ? null
              : def.from === 'screen'
                ? { section: screenSections[def.kind as keyof typeof screenSections]() }
                : { item: rng.pick(({ funnel: funnels, compare: compares, impact: impacts } as Record<string, SavedItem[]>)[def.from]) };
        const made = def.make(source);
        expect(made, `a ${def.kind} section`).not.toBeNull();
        const sec: ReportSpecSection = made!;
        if (sec.text !== undefined) sec.text = 'What we found.';
        if (sec.metric) {
          sec.metric.dimension = rng.pick(['Page path', 'Device']);
          sec.metric.metric = rng.pick(['Sessions', 'Users']);
          if (rng.chance(0.5)) sec.metric.limit = rng.int(1, 12);
        }
        if (sec.trend && rng.chance(0.6)) sec.trend = { ...sec.trend, trend: { interval: rng.pick(['day', 'week', 'month'] as const) } };
        sectionKinds.add(def.kind);
        if (rng.chance(0.3)) sec.heading = '';
        if (rng.chance(0.5)) sec.intro = 'What this shows.';
        draft.sections.push(sec);
      }
      if (reports.reportIssues(draft).length > 0) continue;
      const r = reports.reportForEngine(draft);
      counts.report++;
      const out = join(root, `report-${i}.pdf`);
      jobs.push({
        what: `report draft ${i}`,
        spec: r,
        run: async () => {
          await stepwise(['report', specFile(r), '--out', out]);
          expect(readFileSync(out).subarray(0, 4).toString()).toBe('%PDF');
        },
      });
    }

    expect([...sectionKinds].sort(), 'every kind of report section drawn').toEqual(reports.SECTION_KINDS.map((k) => k.kind).sort());
    console.log(`contract test: ${jobs.length} drafts`, counts);
    const failures = await runAll(jobs);
    // some "as well as persona" what-ifs were sized, not only answered about the data
    expect(likeSized).toBeGreaterThan(0);
    // One line per kind of refusal, most common first, then the first few in full.
    const kinds = new Map<string, number>();
    for (const f of failures) {
      const why = (f.split('\n').at(-1) ?? '')
        .replace(/^.*?: stepwise: /, '')
        .replace(/spec-\d+\.json/g, 'SPEC')
        .replace(/(row|line|column) \d+/g, '$1 N');
      kinds.set(why, (kinds.get(why) ?? 0) + 1);
    }
    console.log(`contract test: ${answeredAboutData} drafts answered with words about the data (${ANSWERS_ABOUT_THE_DATA.join(', ')})`);
    if (failures.length)
      console.log([...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${String(n).padStart(4)} x ${k}`).join('\n'));
    expect(failures.length, `${failures.length} of ${jobs.length} drafts refused or failed:\n\n${failures.slice(0, 8).join('\n\n')}`).toBe(0);
  });
});
