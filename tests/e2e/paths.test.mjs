// Journeys in the app show the engine's numbers: from a funnel's drop-off
// panel, "Where did they go?" opens Paths from that step's drop-offs, and the
// node table is `stepwise paths SPEC --json`'s, as are the tables between two
// steps and of converters against drop-offs; the Retention screen's cohort
// sizes are `stepwise retention --json`'s. Screenshots at 1280x800 and
// 1024x700, light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, quit } from './webdriver.mjs';
import { chartTextOverflow, cliJson, openSample, pickStep, settle, sidebarItems } from './lib.mjs';

const DATASET = 'Sample store';
const EVENTS = ['view_item', 'add_to_cart', 'purchase'];
// the builder's defaults: in order, within 14 days, counting users
const FUNNEL = { dataset: DATASET, steps: EVENTS.map((event) => ({ event })), order: 'ordered', window: '14d', count: 'users' };

let s;
let ws;
before(async () => {
  s = await launch();
  ws = s.workspace;
});
after(async () => {
  if (s) await quit(s);
});


const tableRows = (testid, row) =>
  s.exec(
    `return Array.from(document.querySelectorAll('[data-testid="${testid}"] [data-testid="${row}"]')).map((r) => Array.from(r.cells).map((c) => (c.querySelector('[data-testid="paths-node"]') ?? c).textContent.trim()));`,
  );

async function shots(name, chart) {
  for (const [w, h] of [
    [1280, 800],
    [1024, 700],
  ]) {
    await s.setWindowSize(w, h);
    await s.find(`[data-testid="${chart}"] svg`);
    await s.screenshot(`${name}-${w}-light`);
    assert.deepEqual(await chartTextOverflow(s, chart), [], `every text of ${chart} lies inside it at ${w} px`);
  }
  const svgNow = () => s.exec(`return document.querySelector('[data-testid="${chart}"] svg')?.outerHTML.length ?? 0;`);
  const before = await svgNow();
  await s.click(await s.find('button[aria-label="Switch theme"]'));
  await s.waitFor(async () => (await s.exec(`return document.querySelector('[data-testid="${chart}"] svg')?.outerHTML.includes('#1E1E1E') ?? false;`)), 'the chart redrawn dark');
  assert.ok(before > 0);
  for (const [w, h] of [
    [1024, 700],
    [1280, 800],
  ]) {
    await s.setWindowSize(w, h);
    await s.find(`[data-testid="${chart}"] svg`);
    await s.screenshot(`${name}-${w}-dark`);
  }
  await s.click(await s.find('button[aria-label="Switch theme"]'));
}

test('"Where did they go?" from a drop-off shows the CLI paths of those users', async () => {
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
  // saved, so that leaving the builder asks nothing
  await s.fill(await s.find('input[aria-label="Funnel name"]'), 'Journeys funnel');
  await s.click(await s.find('[data-testid="save-funnel"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Funnels')).includes('Journeys funnel'), 'the saved funnel in the sidebar');
  // the drop-off after step 1 (viewed, did not add to cart)
  await s.click((await s.findAll('[data-testid="dropoff-open"]'))[0]);
  await s.find('[data-testid="dropoff-paths"]');
  await s.setWindowSize(1024, 700);
  await s.exec('document.querySelector(\'[data-testid="dropoff-panel"]\').scrollIntoView({block: "end"});');
  await new Promise((r) => setTimeout(r, 400));
  await s.screenshot('paths-dropoff-panel-1024');
  await s.setWindowSize(1280, 800);
  await s.click(await s.find('[data-testid="dropoff-paths"]'));
  const spec = { dataset: DATASET, from: { funnel: FUNNEL, dropoff: 1 } };
  const cli = cliJson(ws, 'paths', spec);
  const funnel = cliJson(ws, 'funnel', FUNNEL);
  assert.equal(cli.units, funnel.steps[0].count - funnel.steps[1].count, 'the paths start at the drop-offs');
  assert.ok(cli.nodes.length > 3, 'several nodes');
  const want = cli.shown.table.rows.map((r) => r.map((c) => c.text));
  // node name and count per row, as the CLI gives them
  assert.deepEqual(await settle(s, () => tableRows('paths-table', 'paths-row'), want, 'the paths node table as the CLI shows it'), want);
  const counts = (await tableRows('paths-table', 'paths-row')).map((r) => r[2]);
  assert.deepEqual(
    counts,
    cli.nodes.map((n) => n.count.toLocaleString('en-US')),
    'each node count is the CLI node count',
  );
  // a node's audience: as many ids as the CLI counts at that node
  const csv = join(mkdtempSync(join(tmpdir(), 'stepwise-paths-')), 'node.csv');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [csv]);
  await s.click((await s.findAll('[data-testid="paths-node-export"]'))[1]);
  await s.waitFor(() => existsSync(csv) && statSync(csv).size > 0, 'the node CSV');
  await s.waitFor(() => readFileSync(csv, 'utf8').trim().split('\n').length - 1 === cli.nodes[1].count, `${cli.nodes[1].count} ids in the node CSV`);
  await shots('paths', 'paths-chart');
});

test('between two steps and converters vs drop-offs show the CLI tables', async () => {
  // still on Paths, opened from the funnel: between view_item and add_to_cart
  await s.setWindowSize(1280, 800);
  await s.choose(await s.find('[data-testid="paths-start"]'), 'between');
  await s.choose(await s.find('[data-testid="paths-step"]'), '1');
  const between = cliJson(ws, 'paths', { dataset: DATASET, from: { funnel: FUNNEL, between: 1 } });
  const funnel = cliJson(ws, 'funnel', FUNNEL);
  assert.equal(between.between.units, funnel.steps[1].count, 'between counts those who went on to add_to_cart');
  const wantB = between.shown_between.table.rows.map((r) => r.map((c) => c.text));
  assert.ok(wantB.length > 1, 'several sequences');
  assert.deepEqual(
    await settle(s, () => tableRows('paths-between-table', 'paths-between-row'), wantB, 'the sequences table as the CLI shows it'),
    wantB,
  );
  assert.deepEqual(await s.texts('[data-testid="paths-between-notes"] li'), between.shown_between.notes, 'the effort notes');
  const wantNodes = between.shown.table.rows.map((r) => r.map((c) => c.text));
  assert.deepEqual(await settle(s, () => tableRows('paths-table', 'paths-row'), wantNodes, 'the node table between the steps'), wantNodes);
  // an edge's units: as many ids as the CLI edge count
  const edge = between.edges.findIndex((e) => e.from === 0);
  const csv = join(mkdtempSync(join(tmpdir(), 'stepwise-paths-')), 'edge.csv');
  await s.exec('document.querySelector(\'[data-testid="paths-edge"]\').scrollIntoView({block: "center"});');
  await s.choose(await s.find('[data-testid="paths-edge"]'), String(edge));
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [csv]);
  await s.click(await s.find('[data-testid="paths-edge-export"]'));
  await s.waitFor(() => existsSync(csv) && statSync(csv).size > 0, 'the edge CSV');
  await s.waitFor(
    () => readFileSync(csv, 'utf8').trim().split('\n').length - 1 === between.edges[edge].count,
    `${between.edges[edge].count} ids in the edge CSV`,
  );
  await s.setWindowSize(1024, 700);
  await s.exec('document.querySelector(\'[data-testid="paths-between"]\').scrollIntoView({block: "start"});');
  await new Promise((r) => setTimeout(r, 400));
  await s.screenshot('paths-between-1024');
  await s.click(await s.find('button[aria-label="Switch theme"]'));
  await new Promise((r) => setTimeout(r, 600));
  await s.screenshot('paths-between-1024-dark');
  await s.click(await s.find('button[aria-label="Switch theme"]'));

  // from view_item: converters (reached purchase) against drop-offs
  await s.setWindowSize(1280, 800);
  await s.choose(await s.find('[data-testid="paths-start"]'), 'step');
  await s.choose(await s.find('[data-testid="paths-step"]'), '1');
  await s.click(await s.find('[data-testid="paths-compare-box"]'));
  const compare = cliJson(ws, 'paths', { dataset: DATASET, from: { funnel: FUNNEL, step: 1 }, compare: 'converters' });
  assert.equal(compare.comparison.converters, funnel.steps[2].count, 'converters reached purchase');
  const wantC = compare.shown_comparison.table.rows.map((r) => r.map((c) => c.text));
  assert.deepEqual(
    await settle(s, () => tableRows('paths-compare-table', 'paths-compare-row'), wantC, 'the comparison table as the CLI shows it'),
    wantC,
  );
  await s.setWindowSize(1024, 700);
  await s.screenshot('paths-compare-1024');
  await s.exec('document.querySelector(\'section[data-testid="paths-compare"]\').scrollIntoView({block: "start"});');
  await new Promise((r) => setTimeout(r, 400));
  await s.screenshot('paths-compare-table-1024');
  await s.setWindowSize(1280, 800);
});

test('the Retention screen shows the CLI cohort sizes', async () => {
  await s.setWindowSize(1280, 800);
  await s.click(await s.find('[data-testid="open-retention"]'));
  const spec = { dataset: DATASET, cohort: 'first_seen', return: 'any', interval: 'week' };
  const cli = cliJson(ws, 'retention', spec);
  assert.ok(cli.cohorts.length > 1, 'several cohorts');
  const want = cli.shown.table.rows.map((r) => r.map((c) => c.text));
  assert.deepEqual(await settle(s, () => tableRows('retention-table', 'retention-row'), want, 'the cohort table as the CLI shows it'), want);
  const sizes = (await tableRows('retention-table', 'retention-row')).slice(0, cli.cohorts.length).map((r) => r[1]);
  assert.deepEqual(
    sizes,
    cli.cohorts.map((c) => c.size.toLocaleString('en-US')),
    'each cohort size is the CLI cohort size',
  );
  await shots('retention', 'retention-chart');
});
