// First-time vs returning buyers in the app show the engine's numbers: the
// funnel builder's breakdown "Buyer status" gives the rows of `stepwise
// funnel SPEC --json` (its `shown.breakdown`), and the Compare screen's
// column "Buyer status" the groups of `stepwise compare --json`; the Paths
// screen's edge table exports as `stepwise paths --export --edges` writes
// it. Screenshots at 1280x800 and 1024x700, light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, quit } from './webdriver.mjs';
import { CLI, cliJson, openSample, pickStep, settle, sidebarItems } from './lib.mjs';

const DATASET = 'Sample store';
const EVENTS = ['view_item', 'purchase'];
const NAME = 'Visits to purchase';
// the builder's defaults, counting sessions: a visit is returning when its
// user bought in an earlier one
const FUNNEL = { dataset: DATASET, steps: EVENTS.map((event) => ({ event })), order: 'ordered', window: '14d', count: 'sessions' };
const BY = { column: '$buyer_status' };

let s;
let ws;
before(async () => {
  s = await launch();
  ws = s.workspace;
});
after(async () => {
  if (s) await quit(s);
});


const rows = (testid, row) =>
  s.exec(
    `return Array.from(document.querySelectorAll('[data-testid="${testid}"] [data-testid="${row}"]')).map((r) => Array.from(r.cells).map((c) => c.textContent.trim()));`,
  );

async function shots(name, scrollTo) {
  for (const dark of [false, true]) {
    if (dark) await s.click(await s.find('button[aria-label="Switch theme"]'));
    for (const [w, h] of [
      [1280, 800],
      [1024, 700],
    ]) {
      await s.setWindowSize(w, h);
      await s.exec(`document.querySelector('[data-testid="${scrollTo}"]')?.scrollIntoView({block: "center"});`);
      await new Promise((r) => setTimeout(r, 500));
      await s.screenshot(`${name}-${w}-${dark ? 'dark' : 'light'}`);
    }
  }
  await s.click(await s.find('button[aria-label="Switch theme"]'));
  await s.setWindowSize(1280, 800);
}

test('the funnel broken down by buyer status shows the CLI rows', async () => {
  await openSample(s);
  await s.setWindowSize(1280, 800);
  await s.click(await s.find('button[aria-label="New funnel"]'));
  await s.choose(await s.find('[data-testid="funnel-dataset"]'), DATASET);
  await s.find('[data-testid="step-picker"]');
  await s.waitFor(async () => (await s.findAll('[data-testid="picker-option"]')).length > 3, 'the picker lists the events');
  for (const [i, ev] of EVENTS.entries()) {
    if (i > 0) await s.click(await s.find('[data-testid="add-step"]'));
    await pickStep(s, ev);
  }
  await s.find('[data-testid="funnel-table"]');
  await s.choose(await s.find('[data-testid="funnel-count"]'), 'sessions');
  await s.choose(await s.find('[data-testid="breakdown-column"]'), 'First-time vs returning buyers');
  const hint = await s.exec('return document.querySelector(\'[data-testid="buyer-status-hint"]\')?.textContent ?? "";');
  assert.match(hint, /purchase/, 'the hint names the last step');

  const cli = cliJson(ws, 'funnel', { ...FUNNEL, breakdown: BY });
  assert.deepEqual(cli.breakdown.map((b) => b.value).sort(), ['First-time', 'Returning'], 'both groups');
  const total = cli.breakdown.reduce((a, b) => a + b.steps[0].count, 0);
  assert.equal(total, cli.steps[0].count, 'the groups partition the sessions');
  const want = cli.shown.breakdown.rows.map((r) => r.map((c) => c.text));
  assert.deepEqual(await settle(s, () => rows('breakdown-table', 'breakdown-row'), want, 'the buyer-status rows as the CLI shows them'), want);

  // saved, for the comparison
  await s.fill(await s.find('input[aria-label="Funnel name"]'), NAME);
  await s.click(await s.find('[data-testid="save-funnel"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Funnels')).includes(NAME), 'the saved funnel in the sidebar');
  await shots('buyers-funnel', 'breakdown-table');
});

test('the Compare screen by buyer status shows the CLI groups', async () => {
  await s.click(await s.find('[data-testid="open-compare"]'));
  await s.choose(await s.find('[data-testid="compare-funnel"]'), NAME);
  const radio = await s.exec(
    'return Array.from(document.querySelectorAll("aside label.inline")).find((l) => l.textContent.trim() === "the values of a column")?.querySelector("input") ?? null;',
  );
  assert.ok(radio, 'the "values of a column" choice');
  await s.click(Object.values(radio)[0]);
  await s.choose(await s.find('[data-testid="compare-column"]'), 'First-time vs returning buyers');
  const cli = cliJson(ws, 'compare', { funnel: { ...FUNNEL, breakdown: BY }, by: '$buyer_status' });
  assert.deepEqual(cli.segments.map((g) => g.name).sort(), ['First-time', 'Returning']);
  const want = cli.shown.table.rows.map((r) => r.map((c) => c.text));
  assert.deepEqual(await settle(s, () => rows('compare-table', 'compare-row'), want, 'the comparison as the CLI shows it'), want);
  await shots('buyers-compare', 'compare-table');
});

test('the Paths screen exports its edge table as the CLI does', async () => {
  await s.setWindowSize(1280, 800);
  await s.click(await s.find('[data-testid="open-paths"]'));
  await s.fill(await s.find('[data-testid="paths-target"]'), 'add_to_cart');
  const spec = { dataset: DATASET, from: { event: 'add_to_cart' } };
  const cli = cliJson(ws, 'paths', spec);
  await settle(s, () => rows('paths-table', 'paths-row').then((r) => r.length), cli.nodes.length, 'the node table');
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-paths-edges-'));
  const csv = join(dir, 'edges.csv');
  await s.choose(await s.find('[data-testid="paths-export-table"]'), 'edges');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [csv]);
  await s.click(await s.find('[data-testid="paths-export-csv"]'));
  await s.waitFor(() => existsSync(csv) && statSync(csv).size > 0, 'the edge CSV');
  const specFile = join(dir, 'paths.json');
  writeFileSync(specFile, JSON.stringify(spec));
  const mine = join(dir, 'cli-edges.csv');
  execFileSync(CLI, ['--workspace', ws, 'paths', specFile, '--export', mine, '--edges']);
  assert.equal(readFileSync(csv, 'utf8'), readFileSync(mine, 'utf8'), 'the screen\'s edge CSV is the CLI\'s');
  assert.equal(readFileSync(csv, 'utf8').trim().split('\n').length - 1, cli.edges.length, 'a row per edge');
  await s.setWindowSize(1024, 700);
  await s.exec('document.querySelector(\'[data-testid="paths-export-table"]\').scrollIntoView({block: "center"});');
  await new Promise((r) => setTimeout(r, 400));
  await s.screenshot('paths-export-1024');
  await s.setWindowSize(1280, 800);
});
