// The app's main flows, driven like a user drives them (clicks, typing, the
// step picker), on one workspace that grows from flow to flow: the sample
// store data, a 4-step funnel, two personas and their comparison, the impact
// ranking, a report exported as PDF, and a restart that finds it all again.
// Every number the app shows is checked against the CLI on the same workspace
// for a spec written here, not read back from the app.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ELEMENT, launch, quit } from './webdriver.mjs';
import { chartTextOverflow, cliDatasets, cliJson, fmt, onReportPages, openSample, pickStep, settle, sidebarItems } from './lib.mjs';

const DATASET = 'Sample store';
const FUNNEL_NAME = 'Checkout funnel';
const EVENTS = ['view_item', 'add_to_cart', 'begin_checkout', 'purchase'];
// What the clicks below ask for: any order, within 36 hours, counting users.
const FUNNEL = {
  dataset: DATASET,
  steps: EVENTS.map((event) => ({ event })),
  order: 'unordered',
  window: '36h',
  count: 'users',
};
const MOBILE = {
  name: 'Mobile shoppers',
  dataset: DATASET,
  match: 'all',
  conditions: [{ column: 'device_category', op: 'eq', value: 'mobile', value_of: 'ever' }],
};
const FILTERERS = {
  name: 'Filter users',
  dataset: DATASET,
  match: 'all',
  conditions: [{ did: { event: 'use_filter' }, at_least: 1 }],
};
const IMPACT = { dataset: DATASET, goal: { event: 'purchase' }, candidates: 'auto', window: '30d' };
const REPORT_TITLE = 'Checkout review';

let s;
let ws;
/** What the CLI says, filled in by the flows and checked again after the restart. */
const expected = {};

before(async () => {
  s = await launch();
  ws = s.workspace;
});
after(async () => {
  if (s) await quit(s);
});

const stepCounts = (sel = '[data-testid="funnel-table"]') => s.texts(`${sel} [data-testid="step-count"]`);
const stepLabels = () =>
  s.exec(
    'return Array.from(document.querySelectorAll(\'[data-testid="funnel-table"] [data-testid="funnel-row"] td:first-child\'))' +
      '.map((td) => td.textContent.replace(/^\\s*\\d+\\.?\\s*/, "").trim());',
  );
const segmentCount = () =>
  s.exec('const e = document.querySelector(\'[data-testid="segment-count"] .big\'); return e ? e.textContent.trim() : null;');

/** Picks a step in the step picker: types part of its name in the search box, clicks the match. */

test('flow 2: a 4-step funnel built by clicking shows the CLI counts', async () => {
  await openSample(s);
  // The dataset screen: users and events as the CLI counts them (every unit the
  // segment engine sees; every row of the sample has a user and a time).
  await s.click(await s.find('[data-testid="dataset-item"]'));
  const text = (id) =>
    s.exec('const e = document.querySelector(`[data-testid="${arguments[0]}"]`); return e ? e.textContent.trim() : null;', [id]);
  const seg = cliJson(ws, 'segment', MOBILE);
  const [row] = cliDatasets(ws).filter((d) => d.name === DATASET);
  assert.ok(row && row.rows > 0, 'the CLI lists the sample');
  assert.equal(await settle(s, () => text('dataset-users'), fmt(seg.total_units), 'the dataset users'), fmt(seg.total_units));
  assert.equal(await text('dataset-events'), fmt(row.rows));
  assert.match(await text('dataset-period'), /^2024-09-\d\d to 2024-(09|10)-\d\d$/);
  await s.screenshot('flow2-dataset');
  await s.click(await s.find('button[aria-label="New funnel"]'));
  await s.choose(await s.find('[data-testid="funnel-dataset"]'), DATASET);
  // The picker opens by itself for the first step; "+ Add step" opens it for the next ones.
  await s.find('[data-testid="step-picker"]');
  await s.waitFor(async () => (await s.findAll('[data-testid="picker-option"]')).length > 3, 'the picker lists the events');
  for (const [i, ev] of EVENTS.entries()) {
    if (i > 0) await s.click(await s.find('[data-testid="add-step"]'));
    await pickStep(s, ev);
  }
  await s.choose(await s.fieldByHeading('Order'), 'Any order');
  await s.fill(await s.find('input[aria-label="Window length"]'), '36');
  await s.choose(await s.find('select[aria-label="Window unit"]'), 'hours');
  await s.choose(await s.fieldByHeading('Count'), 'Users');

  const cli = cliJson(ws, 'funnel', FUNNEL);
  expected.funnel = cli.steps.map((x) => fmt(x.count));
  assert.equal(cli.steps.length, 4);
  assert.ok(cli.steps[0].count > cli.steps[3].count && cli.steps[3].count > 0, 'a funnel that narrows');
  const shown = await settle(s, () => stepCounts(), expected.funnel, 'the funnel table with the CLI counts');
  assert.deepEqual(shown, expected.funnel);
  assert.deepEqual(await stepLabels(), EVENTS);

  // Reorder by dragging the last step's handle onto the first step (WebDriver
  // pointer actions), then back with the "Move down" buttons and Alt+Down.
  const stepValues = () =>
    s.exec('return Array.from(document.querySelectorAll(\'[data-testid="funnel-step"] input.value\')).map((i) => i.value);');
  const handles = await s.findAll('[data-testid="funnel-step"] .handle');
  const firstStep = (await s.findAll('[data-testid="funnel-step"]'))[0];
  const at = (el, y = 0) => ({ type: 'pointerMove', duration: 100, origin: { [ELEMENT]: el }, x: 0, y });
  await s.cmd('POST', '/actions', {
    actions: [
      {
        type: 'pointer',
        id: 'mouse',
        parameters: { pointerType: 'mouse' },
        actions: [at(handles[3]), { type: 'pointerDown', button: 0 }, at(firstStep, -20), at(firstStep, -25), { type: 'pointerUp', button: 0 }],
      },
    ],
  });
  await s.cmd('DELETE', '/actions');
  const dragged = [EVENTS[3], ...EVENTS.slice(0, 3)];
  assert.deepEqual(await settle(s, stepValues, dragged, 'the steps after the drag'), dragged);
  await s.screenshot('flow2-dragged');
  await s.click(await s.find('button[aria-label="Move step 1 down"]'));
  await s.click(await s.find('button[aria-label="Move step 2 down"]'));
  await s.exec(
    'const li = document.querySelectorAll(\'[data-testid="funnel-step"]\')[2]; li.focus();' +
      'li.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", altKey: true, bubbles: true }));',
  );
  assert.deepEqual(await settle(s, stepValues, EVENTS, 'the steps back in order'), EVENTS);
  assert.deepEqual(await settle(s, () => stepCounts(), expected.funnel, 'the counts back'), expected.funnel);

  await s.fill(await s.find('input[aria-label="Funnel name"]'), FUNNEL_NAME);
  await s.click(await s.find('[data-testid="save-funnel"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Funnels')).includes(FUNNEL_NAME), 'the saved funnel in the sidebar');
  await s.screenshot('flow2-funnel');
  assert.deepEqual(await chartTextOverflow(s, 'funnel-chart'), [], 'every text of the funnel-chart lies inside the chart');

  // Who dropped at step 2: as many as the table says, the same people as
  // `stepwise funnel --dropped 2 --csv`, exported through the save dialog.
  await s.click((await s.findAll('[data-testid="dropoff-open"]'))[0]);
  const dropped = fmt(cli.steps[0].count - cli.steps[1].count);
  assert.equal(
    await settle(s, () => s.exec('return document.querySelector(\'[data-testid="dropoff-count"]\')?.textContent.trim() ?? null;'), dropped, 'the drop-off count'),
    dropped,
  );
  assert.ok((await s.findAll('[data-testid="dropoff-row"]')).length > 0, 'the first dropped users are listed');
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-dropoff-'));
  const appCsv = join(dir, 'app.csv');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [appCsv]);
  await s.click(await s.find('[data-testid="dropoff-export"]'));
  await s.waitFor(async () => existsSync(appCsv) && statSync(appCsv).size > 0, 'the exported drop-off CSV');
  await s.screenshot('flow2-dropoff');
  const cliCsv = join(dir, 'cli.csv');
  cliJson(ws, 'funnel', FUNNEL, ['--dropped', '2', '--csv', cliCsv]);
  const lines = (f) => readFileSync(f, 'utf8').trim().split(/\r?\n/);
  const [appLines, cliLines] = [lines(appCsv), lines(cliCsv)];
  assert.equal(appLines.length - 1, cli.steps[0].count - cli.steps[1].count, 'one row per dropped user, after the header');
  assert.deepEqual(appLines.slice().sort(), cliLines.slice().sort());

  // Save PNG: the chart at twice its size, through the save dialog.
  const png = join(dir, 'funnel.png');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [png]);
  await s.click(await s.find('[data-testid="funnel-chart"] [data-testid="chart-save"]'));
  await s.waitFor(async () => existsSync(png) && statSync(png).size > 1000, 'the saved PNG');
  const head = readFileSync(png).subarray(0, 24);
  assert.equal(head.subarray(1, 4).toString(), 'PNG');
  const svgWidth = await s.exec('return document.querySelector(\'[data-testid="funnel-chart"] svg\').viewBox.baseVal.width;');
  assert.equal(head.readUInt32BE(16), svgWidth * 2, 'PNG width = 2 x the chart width');

  // Ctrl+Shift+C on the focused chart puts the same 2x image on the clipboard
  // (read back from the X server with xclip).
  await s.exec(
    'const f = document.querySelector(\'[data-testid="funnel-chart"]\'); f.focus();' +
      'f.dispatchEvent(new KeyboardEvent("keydown", { key: "C", code: "KeyC", ctrlKey: true, shiftKey: true, bubbles: true }));',
  );
  let clip = Buffer.alloc(0);
  await s.waitFor(async () => {
    try {
      clip = execFileSync('xclip', ['-selection', 'clipboard', '-t', 'image/png', '-o'], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    } catch {
      clip = Buffer.alloc(0);
    }
    return clip.length > 1000;
  }, 'a PNG on the clipboard');
  assert.equal(clip.subarray(1, 4).toString(), 'PNG');
  assert.equal(clip.readUInt32BE(16), svgWidth * 2, 'the copied image is 2 x the chart width');
  assert.equal(clip.readUInt32BE(20), head.readUInt32BE(20), 'the copied image has the saved one\'s height');
});

/** Builds a persona in the segment builder: name, dataset, one condition; returns the shown count. */
async function makePersona(spec, addCondition) {
  await s.click(await s.find('button[aria-label="New persona"]'));
  await s.find('input[aria-label="Persona name"]');
  await s.choose(await s.fieldByHeading('Dataset'), DATASET);
  await s.fill(await s.find('input[aria-label="Persona name"]'), spec.name);
  await addCondition();
  const want = fmt(cliJson(ws, 'segment', spec).members);
  const shown = await settle(s, segmentCount, want, `the live count of ${spec.name}`);
  assert.equal(shown, want, `${spec.name}: the live member count equals \`stepwise segment\``);
  await s.click(await s.find('[data-testid="save-persona"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Personas')).includes(spec.name), `${spec.name} in the sidebar`);
  return want;
}

test('flow 3: two personas from the segment builder, their counts and their comparison equal the CLI', async () => {
  expected.mobile = await makePersona(MOBILE, async () => {
    await s.clickText('[data-testid="condition-group"] button', '+ Property');
    const cond = '[data-testid="condition"]';
    await s.choose(await s.find(`${cond} select[aria-label="Value of"]`), 'ever had');
    await s.choose(await s.find(`${cond} select[aria-label="Column"]`), 'device_category');
    await s.choose(await s.find(`${cond} select[aria-label="Operator"]`), 'eq');
    await s.fill(await s.find(`${cond} input[aria-label="Value"]`), 'mobile');
  });
  await s.screenshot('flow3-persona');
  expected.filterers = await makePersona(FILTERERS, async () => {
    await s.clickText('[data-testid="condition-group"] button', '+ Behaviour');
    const cond = '[data-testid="condition"]';
    await s.fill(await s.find(`${cond} input[aria-label="Target"]`), 'use_filter');
    await s.fill(await s.find(`${cond} input[aria-label="At least"]`), '1');
  });

  // Compare them on the saved funnel, Mobile shoppers as the baseline.
  await s.click(await s.find('[data-testid="open-compare"]'));
  await s.choose(await s.find('[data-testid="compare-funnel"]'), FUNNEL_NAME);
  for (const name of [MOBILE.name, FILTERERS.name]) {
    const box = await s.exec(
      'return Array.from(document.querySelectorAll("aside label.inline")).find((l) => l.textContent.trim() === arguments[0])?.querySelector("input") ?? null;',
      [name],
    );
    assert.ok(box, `a checkbox for ${name}`);
    const id = Object.values(box)[0];
    if (!(await s.exec('return arguments[0].checked;', [box]))) await s.click(id);
  }
  await s.choose(await s.fieldByHeading('Baseline'), MOBILE.name);

  const cli = cliJson(ws, 'compare', { funnel: FUNNEL, segments: [MOBILE, FILTERERS], baseline: MOBILE.name });
  const groups = cli.segments;
  const want = groups
    // Users entered the funnel's first step; converted reached its last.
    .map((g) => [g.name, fmt(g.steps[0].count), fmt(g.steps[g.steps.length - 1].count), g.conversion.verdict])
    .sort((a, b) => a[0].localeCompare(b[0]));
  const readTable = async () =>
    (
      await s.exec(
        'return Array.from(document.querySelectorAll(\'[data-testid="compare-row"]\')).map((r) => Array.from(r.cells).map((c) => c.textContent.trim()));',
      )
    )
      .map((c) => [c[0], c[1], c[2], c[7]])
      .sort((a, b) => a[0].localeCompare(b[0]));
  const shown = await settle(s, readTable, want, 'the comparison table with the CLI numbers');
  assert.deepEqual(shown, want);
  // The challenger carries a significance label in words.
  const challenger = shown.find((r) => r[0] === FILTERERS.name);
  assert.match(challenger[3], /significant|no clear difference|not enough data/i);
  expected.compare = want;
  // Each persona has one colour: its dot in the sidebar, in the table and its
  // swatch in the chart's legend (the rect drawn just before its name).
  const colours = await s.waitFor(async () => {
    const v = await s.exec(
        'const rgb = (c) => { const e = document.createElement("i"); e.style.color = c; document.body.appendChild(e);' +
          ' const v = getComputedStyle(e).color; e.remove(); return v; };' +
          'const svg = document.querySelector(\'[data-testid="compare-chart"] svg\'); if (!svg) return null;' +
          'return arguments[0].map((n) => {' +
          ' const side = Array.from(document.querySelectorAll("nav.side .item")).find((b) => b.querySelector(".label")?.textContent.trim() === n)?.querySelector(".dot");' +
          ' const row = Array.from(document.querySelectorAll(\'[data-testid="compare-row"]\')).find((r) => r.cells[0].textContent.trim() === n)?.querySelector(".dot");' +
          ' const t = Array.from(svg.querySelectorAll("text")).find((x) => x.textContent.trim() === n);' +
          ' let r = t && t.previousElementSibling; while (r && r.tagName !== "rect") r = r.previousElementSibling;' +
          ' return [n, side ? getComputedStyle(side).backgroundColor : null, row ? getComputedStyle(row).backgroundColor : null, r ? rgb(r.getAttribute("fill")) : null]; });',
      [[MOBILE.name, FILTERERS.name]],
    );
    return v && v.every((x) => x[1] && x[2] && x[3]) ? v : null;
  }, 'the persona colours in the sidebar, the table and the chart');
  for (const [name, side, row, legend] of colours) {
    assert.ok(side && row && legend, `${name}: a dot in the sidebar, one in the table, a swatch in the chart: ${JSON.stringify(colours)}`);
    assert.equal(row, side, `${name}: the table dot has the persona's colour`);
    assert.equal(legend, side, `${name}: the chart legend has the persona's colour`);
  }
  assert.notEqual(colours[0][1], colours[1][1], 'two personas, two colours');
  await s.screenshot('flow3-compare');
  assert.deepEqual(await chartTextOverflow(s, 'compare-chart'), [], 'every text of the compare-chart lies inside the chart');
});

test('flow 4: the impact screen ranks first what `stepwise impact` ranks first', async () => {
  await s.click(await s.find('button[aria-label="New impact analysis"]'));
  await s.choose(await s.fieldByHeading('Dataset'), DATASET);
  await s.choose(await s.find('select[aria-label="Goal kind"]'), 'event');
  await s.fill(await s.find('[data-testid="impact-goal"]'), 'purchase');
  await s.fill(await s.find('input[aria-label="Window length"]'), '30');
  await s.choose(await s.find('select[aria-label="Window unit"]'), 'days');

  const cli = cliJson(ws, 'impact', IMPACT);
  assert.ok(cli.candidates.length > 0, 'the CLI ranks something');
  const top = cli.candidates[0];
  const want = [top.event ?? top.page, fmt(top.users_did)];
  const firstRow = () =>
    s.exec(
      'const r = document.querySelector(\'[data-testid="impact-row"]\'); if (!r) return null;' +
        'const name = r.cells[0].cloneNode(true); name.querySelectorAll("span").forEach((x) => x.remove());' +
        'return [name.textContent.trim(), r.cells[1].textContent.trim()];',
    );
  const shown = await settle(s, firstRow, want, 'the first impact row');
  assert.deepEqual(shown, want);
  assert.equal(
    await s.exec('return document.querySelectorAll(\'[data-testid="impact-row"]\').length;'),
    cli.candidates.length,
  );
  // steps every buyer took first are shown apart, as the CLI marks them
  const required = cli.candidates.filter((c) => c.required).map((c) => c.event ?? c.page);
  assert.ok(required.length > 0, 'the sample store has steps every buyer takes (view_item, add_to_cart)');
  assert.deepEqual(
    await s.exec(
      'return Array.from(document.querySelectorAll(\'[data-testid="impact-row"]\'))' +
        '.filter((r) => r.querySelector(\'[data-testid="impact-required"]\'))' +
        '.map((r) => { const n = r.cells[0].cloneNode(true); n.querySelectorAll("span").forEach((x) => x.remove()); return n.textContent.trim(); });',
    ),
    required,
  );
  const scrollTo = (testid) =>
    s.execAsync(
      'const done = arguments[arguments.length - 1];' +
        `document.querySelector('[data-testid="${testid}"]').scrollIntoView({ block: 'start' });` +
        'requestAnimationFrame(() => requestAnimationFrame(() => done(document.querySelector(".canvas").scrollTop)));',
    );
  assert.ok((await scrollTo('impact-required-heading')) > 0, 'the required steps are below the chart');
  await s.screenshot('flow4-impact-required');
  await scrollTo('impact-chart');
  await s.screenshot('flow4-impact');
  assert.deepEqual(await chartTextOverflow(s, 'impact-chart'), [], 'every text of the impact-chart lies inside the chart');
});

test('flow 5: a report from the saved funnel exports a PDF that pdfinfo, pdftotext, pdffonts and qpdf accept', async () => {
  await s.click(await s.find('button[aria-label="New report"]'));
  await s.fill(await s.find('input[aria-label="Report title"]'), REPORT_TITLE);
  await s.choose(await s.find('[data-testid="report-add-funnel"]'), FUNNEL_NAME, { verify: false });
  await s.find('[data-testid="report-section"]');
  await s.fill(
    await s.find('textarea[aria-label="Section 1 findings"]'),
    'Most users who add to cart also start the checkout.',
  );
  // The preview is the engine's pages of the saved funnel: the same counts as the builder.
  const preview = await settle(s, () => onReportPages(s, expected.funnel), expected.funnel, 'the report preview', 60000);
  assert.deepEqual(preview, expected.funnel);
  await s.click(await s.find('[data-testid="save-report"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Reports')).includes(REPORT_TITLE), 'the saved report in the sidebar');

  const pdf = join(mkdtempSync(join(tmpdir(), 'stepwise-pdf-')), 'checkout review.pdf');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [pdf]);
  await s.click(await s.find('[data-testid="export-pdf"]'));
  await s.waitFor(async () => (await s.bodyText()).includes(`Exported ${pdf}`), 'the "Exported" notice', 60000);
  assert.ok(existsSync(pdf) && statSync(pdf).size > 1000, 'the PDF was written');
  await s.screenshot('flow5-report');

  const info = execFileSync('pdfinfo', [pdf]).toString();
  const pages = Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
  assert.ok(pages >= 2, `at least 2 pages, got ${pages}`);
  const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
  assert.ok(text.includes(REPORT_TITLE), 'the title is in the PDF text');
  for (const ev of EVENTS) assert.ok(text.includes(ev), `step ${ev} is in the PDF text`);
  for (const c of expected.funnel) assert.ok(text.includes(c), `count ${c} is in the PDF text`);
  // pdffonts: every font embedded (the "emb" column, 5th from the right, says yes).
  const fonts = execFileSync('pdffonts', [pdf]).toString().trim().split('\n').slice(2);
  assert.ok(fonts.length > 0, 'the PDF uses fonts');
  for (const line of fonts) {
    const cols = line.trim().split(/\s+/);
    assert.equal(cols[cols.length - 5], 'yes', `embedded: ${line}`);
  }
  execFileSync('qpdf', ['--check', pdf], { stdio: 'pipe' }); // throws unless the structure is sound
});

test('flow 6: after a restart the funnel, personas and report are listed and reopen with the same numbers', async () => {
  assert.ok(expected.funnel && expected.mobile && expected.filterers, 'the earlier flows ran');
  await quit(s);
  s = await launch({ workspace: ws });
  await s.waitFor(async () => (await sidebarItems(s, 'Reports')).includes(REPORT_TITLE), 'the saved items after a restart', 30000);
  assert.ok((await sidebarItems(s, 'Funnels')).includes(FUNNEL_NAME));
  assert.deepEqual((await sidebarItems(s, 'Personas')).sort(), [FILTERERS.name, MOBILE.name]);

  await s.clickText('nav li.saved .label', FUNNEL_NAME);
  assert.deepEqual(await settle(s, () => stepCounts(), expected.funnel, 'the reopened funnel'), expected.funnel);
  assert.equal(await s.exec('return document.querySelector(\'input[aria-label="Window length"]\').value;'), '36');
  await s.screenshot('flow6-funnel-after-restart');

  await s.clickText('nav li.saved .label', MOBILE.name);
  assert.equal(await settle(s, segmentCount, expected.mobile, 'the reopened persona'), expected.mobile);
  await s.clickText('nav li.saved .label', FILTERERS.name);
  assert.equal(await settle(s, segmentCount, expected.filterers, 'the second persona'), expected.filterers);

  await s.clickText('nav li.saved .label', REPORT_TITLE);
  const title = await s.exec('return document.querySelector(\'[data-testid="report-preview"] h1\')?.textContent.trim();');
  assert.equal(title, REPORT_TITLE);
  assert.deepEqual(
    await settle(s, () => onReportPages(s, expected.funnel), expected.funnel, 'the reopened report', 60000),
    expected.funnel,
  );
  await s.screenshot('flow6-report-after-restart');
});
