// The app shows and exports what the engine says: the funnel table's marked
// row is the bottleneck step of `stepwise funnel --json` (its `shown`), the
// table exported from the window is the CLI's (`--export`), a persona's
// audience CSV has the members `stepwise segment` counts, and the A/B screen
// plans as `stepwise plan` does (screenshots at 1024x700, light and dark).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, quit } from './webdriver.mjs';
import { CLI, cliJson, openSample, pickStep, settle } from './lib.mjs';

const DATASET = 'Sample store';
const EVENTS = ['view_item', 'add_to_cart', 'purchase'];
// the builder's defaults: in order, within 14 days, counting users
const FUNNEL = { dataset: DATASET, steps: EVENTS.map((event) => ({ event })), order: 'ordered', window: '14d', count: 'users' };
const CARTED = { name: 'x', dataset: DATASET, match: 'all', conditions: [{ did: { event: 'add_to_cart' }, at_least: 1 }] };

let s;
let ws;
const out = mkdtempSync(join(tmpdir(), 'stepwise-contract-'));
before(async () => {
  s = await launch();
  ws = s.workspace;
});
after(async () => {
  if (s) await quit(s);
});


test('the funnel table marks the CLI bottleneck and exports the CLI table', async () => {
  await openSample(s);
  await s.click(await s.find('button[aria-label="New funnel"]'));
  await s.choose(await s.find('[data-testid="funnel-dataset"]'), DATASET);
  await s.find('[data-testid="step-picker"]');
  await s.waitFor(async () => (await s.findAll('[data-testid="picker-option"]')).length > 3, 'the picker lists the events');
  for (const [i, ev] of EVENTS.entries()) {
    if (i > 0) await s.click(await s.find('[data-testid="add-step"]'));
    await pickStep(s, ev);
  }
  const cli = cliJson(ws, 'funnel', FUNNEL);
  const want = cli.shown.table.rows.map((r) => r.map((c) => c.text));
  const rows = () =>
    s.exec(
      'return Array.from(document.querySelectorAll(\'[data-testid="funnel-table"] [data-testid="funnel-row"]\'))' +
        '.map((r) => Array.from(r.cells).map((c) => c.textContent.replace(" ›", "").trim()));',
    );
  assert.deepEqual(await settle(s, rows, want, 'the funnel table as the CLI shows it'), want);
  const marked = await s.exec(
    'return Array.from(document.querySelectorAll(\'[data-testid="funnel-table"] [data-testid="funnel-row"]\')).findIndex((r) => r.dataset.highlight === "true");',
  );
  assert.ok(cli.shown.bottleneck_step > 0, 'the CLI names a bottleneck step');
  assert.equal(marked, cli.shown.bottleneck_step, 'the marked row is the CLI bottleneck step');

  const appCsv = join(out, 'funnel.csv');
  const appXlsx = join(out, 'funnel.xlsx');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [appCsv]);
  await s.click(await s.find('[data-testid="funnel-export-csv"]'));
  await s.waitFor(() => existsSync(appCsv), 'the exported CSV');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [appXlsx]);
  await s.click(await s.find('[data-testid="funnel-export-xlsx"]'));
  await s.waitFor(() => existsSync(appXlsx), 'the exported XLSX');
  const cliCsv = join(out, 'cli.csv');
  cliJson(ws, 'funnel', FUNNEL, ['--export', cliCsv]);
  assert.equal(readFileSync(appCsv, 'utf8'), readFileSync(cliCsv, 'utf8'), 'the app exports the CLI table');
  assert.equal(readFileSync(appXlsx).subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
  // the counts in it are the CLI's: each step's count appears in the workbook's sheet
  const sheet = execFileSync('unzip', ['-p', appXlsx, 'xl/worksheets/sheet1.xml']).toString();
  for (const st of cli.steps) assert.ok(sheet.includes(`>${st.count}<`), `${st.label}: ${st.count} in the XLSX`);
  await s.screenshot('contract-funnel');
  // saved, for the A/B readout
  await s.fill(await s.find('input[aria-label="Funnel name"]'), 'Buy');
  await s.click(await s.find('[data-testid="save-funnel"]'));
  await s.waitFor(async () => (await s.exec('return document.querySelector(\'[data-testid="save-funnel"]\').textContent.trim();')) === 'Saved', 'the funnel saved');
});

test('a persona exports the audience `stepwise segment` counts', async () => {
  await s.click(await s.find('button[aria-label="New persona"]'));
  await s.clickText('button', '+ Behaviour');
  await s.fill(await s.find('input[aria-label="Target"]'), 'add_to_cart');
  const members = cliJson(ws, 'segment', CARTED).members;
  const count = () => s.exec('const e = document.querySelector(\'[data-testid="segment-count"] .big\'); return e ? e.textContent.trim() : null;');
  const fmt = members.toLocaleString('en-US');
  assert.equal(await settle(s, count, fmt, 'the persona count'), fmt);
  const csv = join(out, 'audience.csv');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [csv]);
  await s.click(await s.find('[data-testid="export-audience"]'));
  await s.waitFor(() => existsSync(csv) && readFileSync(csv, 'utf8').trim().split('\n').length - 1 === members, 'the audience CSV');
  const toast = await s.waitFor(
    async () => (await s.exec('return Array.from(document.querySelectorAll(\'[data-testid="toast"]\')).map((t) => t.textContent);')).find((t) => t.includes(csv)),
    'the toast naming the file',
  );
  assert.match(toast, new RegExp(`Exported ${fmt} members`));
});

// Every condition kind the builder offers, nested and negated, in one persona:
// the app's live count equals `stepwise segment` on the engine's own spec.
const EVERY_KIND = {
  name: 'every kind',
  dataset: DATASET,
  match: 'all',
  conditions: [
    { did: { event: 'view_item' }, at_least: 2, within_days: 30 },
    { did_not: { event: 'purchase' } },
    { measure: 'sessions', op: 'gte', value: 1 },
    { not: { match: 'any', conditions: [{ column: 'device_category', op: 'eq', value: 'tablet', value_of: 'ever' }] } },
  ],
};

test('a persona with every condition kind counts as `stepwise segment`', async () => {
  await s.click(await s.find('button[aria-label="New persona"]'));
  const root = '[data-testid="condition-group"] button';
  const nth = async (css, i) => (await s.findAll(`[data-testid="condition"] ${css}`))[i];
  // 1: did view_item at least twice within 30 days of first seen
  await s.clickText(root, '+ Behaviour');
  await s.fill(await nth('input[aria-label="Target"]', 0), 'view_item');
  await s.fill(await nth('input[aria-label="At least"]', 0), '2');
  await s.fill(await nth('input[aria-label="Within days"]', 0), '30');
  // 2: did not purchase
  await s.clickText(root, '+ Behaviour');
  await s.choose(await nth('select[aria-label="Did"]', 1), 'did not');
  await s.fill(await nth('input[aria-label="Target"]', 1), 'purchase');
  // 3: number of sessions >= 1
  await s.clickText(root, '+ Value');
  await s.choose(await nth('select[aria-label="Metric"]', 0), 'sessions');
  await s.choose(await nth('select[aria-label="Operator"]', 0), 'gte');
  await s.fill(await nth('input[aria-label="Value"]', 0), '1');
  // 4: not (any of: ever had device_category = tablet)
  await s.clickText(root, '+ Group');
  await s.click(await s.find('[data-testid="condition-group"] [data-testid="condition-group"] label.not input'));
  await s.choose(await s.find('[data-testid="condition-group"] [data-testid="condition-group"] select[aria-label="Match"]'), 'any');
  await s.clickText('[data-testid="condition-group"] [data-testid="condition-group"] button', '+ Property');
  await s.choose(await nth('select[aria-label="Value of"]', 0), 'ever');
  await s.choose(await nth('select[aria-label="Column"]', 0), 'device_category');
  await s.choose(await nth('select[aria-label="Operator"]', 1), 'eq');
  await s.fill(await nth('input[aria-label="Value"]', 1), 'tablet');

  const members = cliJson(ws, 'segment', EVERY_KIND).members;
  const first = cliJson(ws, 'segment', { ...EVERY_KIND, conditions: EVERY_KIND.conditions.slice(0, 1) }).members;
  assert.ok(members > 0 && members < first, `the other conditions narrow the first (${members} of ${first})`);
  const count = () => s.exec('const e = document.querySelector(\'[data-testid="segment-count"] .big\'); return e ? e.textContent.trim() : null;');
  const fmt = members.toLocaleString('en-US');
  assert.equal(await settle(s, count, fmt, 'the every-kind persona count'), fmt);
  await s.screenshot('contract-persona-every-kind');
});

test('the A/B screen plans as `stepwise plan` and checks the split', async () => {
  await s.setWindowSize(1024, 700);
  await s.click(await s.find('[data-testid="open-ab"]'));
  const plan = JSON.parse(execFileSync(CLI, ['plan', '--baseline', '0.025', '--mde', '0.1', '--json']).toString());
  const perVariant = () => s.exec('const e = document.querySelector(\'[data-testid="ab-per-variant"]\'); return e ? e.textContent.trim() : null;');
  assert.equal(await settle(s, perVariant, plan.shown.users_per_variant, 'the planned users per variant'), plan.shown.users_per_variant);
  await s.choose(await s.find('[data-testid="ab-funnel"]'), 'Buy');
  await s.choose(await s.find('[data-testid="ab-column"]'), 'device_category');
  await s.find('[data-testid="ab-srm"]', 30000);
  const srm = await s.exec('return document.querySelector(\'[data-testid="ab-srm"]\').textContent;');
  assert.match(srm, /units against a planned/);
  await s.screenshot('contract-ab-1024-light');
  await s.exec('document.documentElement.dataset.theme = "dark";');
  await s.screenshot('contract-ab-1024-dark');
});
