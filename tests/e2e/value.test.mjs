// The Value tab shows what `stepwise value --json` shows (issue 14): on the
// sample store (a generated clickstream), a funnel's value table, the
// what-if "step 2 converts 10% better", the ranked opportunities and where
// the non-converters stopped, cell for cell the CLI's `shown`; a bucket's
// audience CSV has the CLI's count; the value table exports as CSV; an
// effort typed in the prioritisation (ICE) table, and the what-if "as well
// as" a saved persona (the filter users), equal the CLI's.
// Screenshots at 1280x800 and 1024x700, light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, quit } from './webdriver.mjs';
import { cliJson, openSample, pickStep, settle, sidebarItems } from './lib.mjs';

const DATASET = 'Sample store';
const EVENTS = ['view_item', 'add_to_cart', 'purchase'];
// the builder's defaults: in order, within 14 days, counting users
const FUNNEL = { dataset: DATASET, steps: EVENTS.map((event) => ({ event })), order: 'ordered', window: '14d', count: 'users' };
// the persona the builder saves below (as flows.test.mjs builds it)
const FILTERERS = { name: 'Filter users', dataset: DATASET, match: 'all', conditions: [{ did: { event: 'use_filter' }, at_least: 1 }] };

let s;
let ws;
const out = mkdtempSync(join(tmpdir(), 'stepwise-value-'));
before(async () => {
  s = await launch();
  ws = s.workspace;
});
after(async () => {
  if (s) await quit(s);
});


/** The rows of a table as shown: each cell's text, without the row's buttons. */
const rows = (testid) =>
  s.exec(
    `return Array.from(document.querySelectorAll('[data-testid="${testid}"] tbody tr'))` +
      '.map((r) => Array.from(r.cells).map((c) => { const x = c.cloneNode(true); x.querySelectorAll("button").forEach((b) => b.remove()); return x.textContent.trim(); }));',
  );
/** Scrolls the results back to the top (the tabs and the choices). */
const toTop = async () => {
  await new Promise((r) => setTimeout(r, 400));
  await s.exec('document.querySelector(\'[data-testid="results-tab-value"]\').scrollIntoView({ block: "center", behavior: "instant" });');
  await new Promise((r) => setTimeout(r, 200));
};
const texts = (t) => t.rows.map((r) => r.map((c) => c.text));

test('the Value tab answers as `stepwise value --json`', async () => {
  await s.setWindowSize(1280, 800);
  await openSample(s);
  // a saved persona, for the "as well as persona" what-if below
  await s.click(await s.find('button[aria-label="New persona"]'));
  await s.find('input[aria-label="Persona name"]');
  await s.choose(await s.fieldByHeading('Dataset'), DATASET);
  await s.fill(await s.find('input[aria-label="Persona name"]'), FILTERERS.name);
  await s.clickText('[data-testid="condition-group"] button', '+ Behaviour');
  await s.fill(await s.find('[data-testid="condition"] input[aria-label="Target"]'), 'use_filter');
  await s.fill(await s.find('[data-testid="condition"] input[aria-label="At least"]'), '1');
  await s.click(await s.find('[data-testid="save-persona"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Personas')).includes(FILTERERS.name), 'the persona in the sidebar');
  await s.click(await s.find('button[aria-label="New funnel"]'));
  await s.choose(await s.find('[data-testid="funnel-dataset"]'), DATASET);
  await s.find('[data-testid="step-picker"]');
  await s.waitFor(async () => (await s.findAll('[data-testid="picker-option"]')).length > 3, 'the picker lists the events');
  for (const [i, ev] of EVENTS.entries()) {
    if (i > 0) await s.click(await s.find('[data-testid="add-step"]'));
    await pickStep(s, ev);
  }
  await s.find('[data-testid="funnel-table"]', 30000);
  await s.click(await s.find('[data-testid="results-tab-value"]'));
  await s.find('[data-testid="value-panel"]');
  // the order value: the dataset's "value" column, guessed
  const source = await s.exec('return document.querySelector(\'[data-testid="value-source"]\').value;');
  assert.equal(source, 'value');

  // no what-if yet: the value table
  const plain = cliJson(ws, 'value', { ...FUNNEL, value: { column: 'value' } });
  const want = texts(plain.shown.value.table);
  assert.deepEqual(await settle(s, () => rows('value-table'), want, 'the value table as the CLI shows it'), want);

  // "what if step 2 converts 10% better"
  await s.choose(await s.find('[data-testid="whatif-step"]'), `2. ${EVENTS[1]}`);
  await s.fill(await s.find('[data-testid="whatif-amount"]'), '10');
  const cli = cliJson(ws, 'value', { ...FUNNEL, value: { column: 'value' }, what_if: { step: 2, relative: 0.1 } });
  assert.ok(cli.what_if.extra_goals.value > 0, 'the CLI sizes the what-if');
  const wi = texts(cli.shown.what_if.table);
  assert.deepEqual(await settle(s, () => rows('whatif-table'), wi, 'the what-if as the CLI shows it'), wi);
  const question = await s.exec('return document.querySelector(\'[data-testid="whatif-question"]\').textContent.trim();');
  assert.equal(question, cli.shown.what_if.heading);
  // the per-month extra value is the CLI's number, as the engine formats it
  assert.ok(wi[3].join(' ').includes(cli.shown.what_if.table.rows[3][4].text));
  assert.deepEqual(await rows('value-table'), texts(cli.shown.value.table));
  assert.deepEqual(await rows('opportunities-table'), texts(cli.shown.opportunities.table));
  assert.deepEqual(await rows('wasted-table'), texts(cli.shown.wasted.table));
  await s.find('[data-testid="wasted-chart"] svg');

  // an effort for the first opportunity, typed in its row: the ICE table as the CLI's
  const first = cli.opportunities[0].step;
  await s.fill((await s.findAll('[data-testid="effort-input"]'))[0], '3');
  const ice = cliJson(ws, 'value', { ...FUNNEL, value: { column: 'value' }, what_if: { step: 2, relative: 0.1 }, effort: { [first]: 3 } });
  assert.ok(ice.priorities[0].ice > 0, 'the CLI scores the opportunity');
  // the effort cell holds the input (its text is the typed value, not the cell's)
  const noEffort = (t) => t.map((r) => r.filter((_, j) => j !== 5));
  const pri = noEffort(texts(ice.shown.priorities.table));
  assert.deepEqual(await settle(s, async () => noEffort(await rows('priorities-table')), pri, 'the ICE table as the CLI shows it'), pri);
  assert.equal(await s.exec('return document.querySelector(\'[data-testid="effort-input"]\').value;'), '3');
  assert.equal(ice.shown.priorities.table.rows[0][7].text, String(ice.priorities[0].ice));

  // a bucket's audience: the first row (everyone who stopped after step 1)
  const csv = join(out, 'stopped.csv');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [csv]);
  await s.click((await s.findAll('[data-testid="wasted-audience"]'))[0]);
  await s.waitFor(() => existsSync(csv) && readFileSync(csv, 'utf8').trim().split('\n').length - 1 === cli.wasted[0].count, 'the audience CSV with the CLI count');

  // the value table as CSV: the CLI's numbers
  const tableCsv = join(out, 'value.csv');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [tableCsv]);
  await s.click(await s.find('[data-testid="value-export-csv"]'));
  await s.waitFor(() => existsSync(tableCsv), 'the exported value table');
  const lines = readFileSync(tableCsv, 'utf8').trim().split('\n');
  assert.equal(lines.length, 1 + cli.steps.length);
  for (const [i, st] of cli.steps.entries()) assert.ok(lines[i + 1].includes(`,${st.count},`), `${st.label}: ${st.count} in the CSV`);

  for (const [w, h] of [
    [1280, 800],
    [1024, 700],
  ]) {
    await s.setWindowSize(w, h);
    // the engine redraws the chart for the new width
    await s.waitFor(async () => (await s.exec('return document.querySelector(\'[data-testid="value-panel"] .busy\') === null;')), 'the panel settled');
    await s.exec('document.querySelectorAll(\'[data-testid="toast"]\').forEach((t) => t.remove());');
    for (const theme of ['light', 'dark']) {
      await s.exec(`document.documentElement.dataset.theme = "${theme}";`);
      await toTop();
      await s.screenshot(`value-${w}-${theme}`);
      await s.exec('document.querySelector(\'[data-testid="wasted-table"]\').scrollIntoView({ block: "end" });');
      await s.screenshot(`value-${w}-${theme}-wasted`);
    }
  }
  await s.exec('document.documentElement.dataset.theme = "light";');
});

test('what if step 2 converted as well as the saved persona', async () => {
  await toTop();
  await s.choose(await s.find('[data-testid="whatif-kind"]'), 'as well as persona…');
  await s.choose(await s.find('[data-testid="whatif-persona"]'), FILTERERS.name);
  const cli = cliJson(ws, 'value', {
    ...FUNNEL,
    value: { column: 'value' },
    what_if: { step: 2, like: { segment: FILTERERS } },
    effort: { [cliJson(ws, 'value', { ...FUNNEL, value: { column: 'value' } }).opportunities[0].step]: 3 },
  });
  assert.equal(cli.what_if.like.name, FILTERERS.name);
  const wi = texts(cli.shown.what_if.table);
  assert.deepEqual(await settle(s, () => rows('whatif-table'), wi, 'the persona what-if as the CLI shows it'), wi);
  const question = await s.exec('return document.querySelector(\'[data-testid="whatif-question"]\').textContent.trim();');
  assert.equal(question, cli.shown.what_if.heading);
  assert.match(question, /as for “Filter users”/);
  for (const [w, h] of [
    [1280, 800],
    [1024, 700],
  ]) {
    await s.setWindowSize(w, h);
    await s.waitFor(async () => (await s.exec('return document.querySelector(\'[data-testid="value-panel"] .busy\') === null;')), 'the panel settled');
    await toTop();
    await s.screenshot(`value-like-${w}`);
    await s.exec('document.querySelector(\'[data-testid="priorities-table"]\').scrollIntoView({ block: "center" });');
    await s.screenshot(`value-ice-${w}`);
  }
  await s.setWindowSize(1280, 800);
  // back to the relative what-if for the tests below
  await s.choose(await s.find('[data-testid="whatif-kind"]'), '% better (relative)');
});

test('what if step 2 converted as well as the desktop users', async () => {
  await toTop();
  await s.choose(await s.find('[data-testid="whatif-kind"]'), 'as well as users with…');
  await s.choose(await s.find('[data-testid="whatif-like-column"]'), 'device_category');
  await s.fill(await s.find('[data-testid="whatif-like-value"]'), 'desktop');
  const base = { ...FUNNEL, value: { column: 'value' } };
  const cli = cliJson(ws, 'value', {
    ...base,
    what_if: { step: 2, like: { column: 'device_category', value: 'desktop' } },
    effort: { [cliJson(ws, 'value', base).opportunities[0].step]: 3 },
  });
  const wi = texts(cli.shown.what_if.table);
  assert.deepEqual(await settle(s, () => rows('whatif-table'), wi, 'the column-value what-if as the CLI shows it'), wi);
  const question = await s.exec('return document.querySelector(\'[data-testid="whatif-question"]\').textContent.trim();');
  assert.equal(question, cli.shown.what_if.heading);
  await s.setWindowSize(1024, 700);
  await s.waitFor(async () => (await s.exec('return document.querySelector(\'[data-testid="value-panel"] .busy\') === null;')), 'the panel settled');
  await toTop();
  await s.screenshot('value-like-value-1024');
  await s.setWindowSize(1280, 800);
  await s.choose(await s.find('[data-testid="whatif-kind"]'), '% better (relative)');
});

test('a typed value per goal, and a clear error for a bad one', async () => {
  await s.choose(await s.find('[data-testid="value-source"]'), 'A typed value per goal');
  const missing = await s.find('[data-testid="value-missing"]');
  assert.match(await s.text(missing), /Type the value of one goal/);
  await s.fill(await s.find('[data-testid="value-per-goal"]'), '50');
  const cli = cliJson(ws, 'value', { ...FUNNEL, value: { per_goal: 50 }, what_if: { step: 2, relative: 0.1 } });
  const want = texts(cli.shown.value.table);
  assert.deepEqual(await settle(s, () => rows('value-table'), want, 'the typed-value table'), want);
  await toTop();
  await s.screenshot('value-typed');
});

test('a goal few or none reach: the panel says what the CLI says', async () => {
  // a fourth step: signing up for the newsletter after buying
  await s.click(await s.find('[data-testid="add-step"]'));
  await pickStep(s, 'sign_up_newsletter');
  const spec = { ...FUNNEL, steps: [...FUNNEL.steps, { event: 'sign_up_newsletter' }], value: { per_goal: 50 }, what_if: { step: 2, relative: 0.1 } };
  let cli = null;
  let why = '';
  try {
    cli = cliJson(ws, 'value', spec);
  } catch (e) {
    why = String(e.stderr ?? e.message).trim();
  }
  await s.click(await s.find('[data-testid="results-tab-value"]'));
  if (cli) {
    const want = texts(cli.shown.value.table);
    assert.deepEqual(await settle(s, () => rows('value-table'), want, 'the four-step value table'), want);
  } else {
    assert.match(why, /no one reached the goal/);
    const err = await s.find('[data-testid="value-error"]', 30000);
    assert.match(await s.text(err), /no one reached the goal, step 4/);
  }
  await toTop();
  await s.screenshot('value-goal-4');
});
