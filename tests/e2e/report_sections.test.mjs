// Value, paths and retention sections are added to a report by clicking: on
// the generated sample, a funnel's Value tab -> "Add to report" -> New report,
// then Paths and Retention -> "Add to report" -> that report (leaving the
// unsaved report asks first, and "Save" there saves it). The saved report runs
// as `stepwise report --saved NAME`: the PDF the app exports has the same text
// (pdftotext) as the CLI's, and the value table's figures, the paths' start
// count and the cohort sizes of `stepwise value/paths/retention --json` are in
// it. Screenshots of the report screen at 1280x800 and 1024x700, light and
// dark, and of the "Add to report" menu.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ELEMENT, launch, quit } from './webdriver.mjs';
import { CLI, cliJson, openSample, pickStep, reportPreviewText, settle, sidebarItems } from './lib.mjs';

const DATASET = 'Sample store';
const EVENTS = ['view_item', 'add_to_cart', 'purchase'];
// the builder's defaults: in order, within 14 days, counting users
const FUNNEL = { dataset: DATASET, steps: EVENTS.map((event) => ({ event })), order: 'ordered', window: '14d', count: 'users' };
const FUNNEL_NAME = 'Checkout';
const TITLE = 'Journeys review';
const VALUE = { ...FUNNEL, value: { column: 'value' } };
const PATHS = { dataset: DATASET, from: { event: 'view_item' } };
const RETENTION = { dataset: DATASET, cohort: 'first_seen', return: 'any', interval: 'week' };

let s;
let ws;
const out = mkdtempSync(join(tmpdir(), 'stepwise-e2e-sections-'));
before(async () => {
  s = await launch();
  ws = s.workspace;
  await s.setWindowSize(1280, 800);
});
after(async () => {
  if (s) await quit(s);
});

const kinds = () => s.exec('return Array.from(document.querySelectorAll(\'[data-testid="report-section"]\')).map((e) => e.dataset.kind);');
const headings = () => s.exec('return Array.from(document.querySelectorAll(\'input[aria-label$=" heading"]\')).map((e) => e.value);');
const enabled = (css) => s.waitFor(async () => await s.exec('const b = document.querySelector(arguments[0]); return !!b && !b.disabled;', [css]), `${css} enabled`, 60000);
const pageCount = () => s.exec('return document.querySelectorAll(\'[data-testid="report-page"]\').length;');
const settled = () =>
  s.waitFor(
    async () => (await pageCount()) > 0 && !(await s.exec('return !!document.querySelector(\'[data-testid="report-building"]\');')),
    'the preview pages',
    90000,
  );
/** pdftotext of a PDF, the "Prepared on" date left out (the CLI and the app may run a day apart). */
const pdfText = (pdf) =>
  execFileSync('pdftotext', ['-layout', pdf, '-'])
    .toString()
    .replace(/\b\d{1,2} [A-Z][a-z]+ 20(2[5-9]|[3-9]\d)\b/g, 'DATE'); // the data is of 2024
/** Texts of the report screen cut off (wider than their box, not ellipsized) or a panel scrolling sideways. */
const cutOff = () =>
  s.exec(
    'const out = []; for (const e of document.querySelectorAll(".inspector, .inspector .row, .inspector .actions, .inspector .caption, .inspector input, [data-testid=report-preview] h1, [data-testid=report-preview] .caption"))' +
      ' if (e.tagName !== "INPUT" && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).textOverflow !== "ellipsis") out.push((e.className || e.tagName) + ": " + e.textContent.trim().slice(0, 40));' +
      'const a = document.querySelector(".inspector"); if (a && a.scrollWidth > a.clientWidth + 1) out.push("the panel scrolls sideways");' +
      'return out;',
  );
/** The focused element (its WebDriver id). */
const active = async () => Object.values(await s.exec('return document.activeElement;'))[0];
/** Opens "Add to report" by keyboard (focus, Enter) and picks `label` ("+ New report" or a report's name) with the arrow keys and Enter. */
async function addToReport(label) {
  await enabled('[data-testid="add-to-report"]');
  const button = await s.find('[data-testid="add-to-report"]');
  await s.exec('arguments[0].scrollIntoView({ block: "center" }); arguments[0].focus();', [{ [ELEMENT]: button }]);
  await s.type(button, '\uE007'); // Enter
  await s.find('[data-testid="add-to-report-menu"]');
  const items = await s.exec('return Array.from(document.querySelectorAll(\'[data-testid="add-to-report-menu"] [role="menuitem"]\')).map((b) => b.textContent.trim());');
  const at = items.indexOf(label);
  assert.ok(at >= 0, `"${label}" in the menu (${items.join(', ')})`);
  for (let i = 0; i < at; i++) await s.type(await active(), '\uE015'); // ArrowDown
  const focused = await s.exec('return document.activeElement.textContent.trim();');
  assert.equal(focused, label, 'the arrow keys reach the item');
  return active();
}

test('Value, Paths and Retention each add their section to one report; the app PDF is the CLI report', { timeout: 600000 }, async () => {
  await openSample(s);
  await s.click(await s.find('button[aria-label="New funnel"]'));
  await s.choose(await s.find('[data-testid="funnel-dataset"]'), DATASET);
  await s.find('[data-testid="step-picker"]');
  await s.waitFor(async () => (await s.findAll('[data-testid="picker-option"]')).length > 3, 'the picker lists the events');
  for (const [i, ev] of EVENTS.entries()) {
    if (i > 0) await s.click(await s.find('[data-testid="add-step"]'));
    await pickStep(s, ev);
  }
  await s.find('[data-testid="funnel-table"]', 30000);
  // saved, so that leaving the builder asks nothing
  await s.fill(await s.find('input[aria-label="Funnel name"]'), FUNNEL_NAME);
  await s.click(await s.find('[data-testid="save-funnel"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Funnels')).includes(FUNNEL_NAME), 'the saved funnel in the sidebar');

  // 1. the Value tab -> Add to report -> New report
  await s.click(await s.find('[data-testid="results-tab-value"]'));
  const value = cliJson(ws, 'value', VALUE);
  const valueRows = value.shown.value.table.rows.map((r) => r.map((c) => c.text));
  const shownRows = () =>
    s.exec('return Array.from(document.querySelectorAll(\'[data-testid="value-table"] tbody tr\')).map((r) => Array.from(r.cells).map((c) => c.textContent.trim()));');
  assert.deepEqual(await settle(s, shownRows, valueRows, 'the value table as the CLI shows it'), valueRows);
  await s.click(await addToReport('+ New report'));
  await s.waitFor(async () => JSON.stringify(await kinds()) === '["value"]', 'the report screen with the value section', 30000);
  assert.deepEqual(await headings(), [`${FUNNEL_NAME}: what each step is worth`]);
  assert.match(await s.text(await s.find('[data-testid="report-unsaved"]')), /Unsaved changes/);
  await s.fill(await s.find('input[aria-label="Report title"]'), TITLE);
  await s.click(await s.find('[data-testid="save-report"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Reports')).includes(TITLE), 'the saved report in the sidebar');

  // 2. Paths -> Add to report -> the same report
  await s.click(await s.find('[data-testid="open-paths"]'));
  await s.fill(await s.find('[data-testid="paths-target"]'), 'view_item');
  await s.find('[data-testid="paths-table"]', 60000);
  const paths = cliJson(ws, 'paths', PATHS);
  await s.waitFor(async () => (await s.text(await s.find('[data-testid="paths-units"]'))).startsWith(paths.units.toLocaleString('en-US')), 'the CLI start count');
  await addToReport(TITLE);
  for (const theme of ['light', 'dark']) {
    await s.exec('document.documentElement.dataset.theme = arguments[0];', [theme]);
    await s.execAsync('const done = arguments[arguments.length - 1]; setTimeout(() => requestAnimationFrame(() => done(null)), 400);');
    await s.screenshot(`report-sections-menu-1280-${theme}`);
  }
  await s.exec('document.documentElement.dataset.theme = "light";');
  // the menu lies over the chart: what is under its items is the menu
  assert.deepEqual(
    await s.exec(
      'return Array.from(document.querySelectorAll(\'[data-testid="add-to-report-menu"] [role="menuitem"]\')).filter((b) => { const r = b.getBoundingClientRect();' +
        ' return !b.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }).map((b) => b.textContent);',
    ),
    [],
    'every menu item is on top',
  );
  await s.type(await active(), '\uE007'); // Enter
  await s.waitFor(async () => JSON.stringify(await kinds()) === '["value","paths"]', 'the paths section appended', 30000);
  assert.equal((await headings())[1], paths.shown.heading, 'headed as the Paths screen heads its chart');

  // 3. leaving the unsaved report asks; Save there saves it and goes on to Retention
  await s.click(await s.find('[data-testid="open-retention"]'));
  await s.find('[data-testid="leave-dialog"]');
  await s.click(await s.find('[data-testid="leave-save"]'));
  await s.find('[data-testid="retention-table"]', 60000);
  const retention = cliJson(ws, 'retention', RETENTION);
  await s.click(await addToReport(TITLE));
  await s.waitFor(async () => JSON.stringify(await kinds()) === '["value","paths","retention"]', 'the retention section appended', 30000);
  assert.deepEqual((await headings()).slice(2), ['Weekly retention']);
  // the "+ Section…" menu says where these kinds come from
  assert.deepEqual(
    await s.exec('return Array.from(document.querySelectorAll(\'[data-testid="report-add-hint"]\')).map((o) => [o.disabled, o.textContent.trim()]);'),
    [
      [true, 'From the Value tab of a funnel: “Add to report”'],
      [true, 'From Journeys › Paths: “Add to report”'],
      [true, 'From Journeys › Retention: “Add to report”'],
    ],
  );
  const summaries = await s.exec('return Array.from(document.querySelectorAll(\'[data-testid="report-section-summary"]\')).map((e) => e.textContent.trim());');
  assert.deepEqual(summaries, [
    `${DATASET} · 3 steps, view_item → purchase · order value: column “value”`,
    `${DATASET} · from event “view_item” · next, 3 levels · top 8 per level by event`,
    `${DATASET} · cohort by first visit · back: any event · weekly, 8 periods`,
  ]);
  await s.click(await s.find('[data-testid="save-report"]'));
  await s.waitFor(async () => (await s.text(await s.find('[data-testid="save-report"]'))) === 'Saved', 'the report saved');

  // what was saved: exactly the specs the screens ran
  const saved = JSON.parse(execFileSync(CLI, ['--workspace', ws, 'saved', 'report', '--json']).toString()).items.find((i) => i.name === TITLE).spec;
  assert.deepEqual(saved.sections, [
    { heading: `${FUNNEL_NAME}: what each step is worth`, value: VALUE },
    { heading: paths.shown.heading, paths: PATHS },
    { heading: 'Weekly retention', retention: RETENTION },
  ]);

  // the preview: the engine's pages, with the CLI's numbers on them
  await settled();
  const preview = await reportPreviewText(s);
  assert.ok(preview.includes('Weekly retention'), 'the retention heading on a preview page');
  assert.ok(preview.includes(retention.cohorts[0].size.toLocaleString('en-US')), 'a cohort size on a preview page');

  // the app's PDF is the CLI's, from the saved report
  const appPdf = join(out, 'app.pdf');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [appPdf]);
  await s.click(await s.find('[data-testid="export-pdf"]'));
  await s.waitFor(async () => (await s.bodyText()).includes(`Exported ${appPdf}`), 'the PDF export notice', 90000);
  const cliPdf = join(out, 'cli.pdf');
  execFileSync(CLI, ['--workspace', ws, 'report', '--saved', TITLE, '--out', cliPdf], { stdio: 'pipe' });
  const text = pdfText(appPdf);
  assert.equal(text, pdfText(cliPdf), 'pdftotext of the app PDF equals that of stepwise report --saved');
  assert.ok(text.includes(TITLE) && text.includes('Weekly retention') && text.includes(`${FUNNEL_NAME}: what each step is worth`), 'the headings in the PDF');
  // the figures of `stepwise value/paths/retention --json`
  for (const row of valueRows) for (const cell of row.slice(1)) assert.ok(text.includes(cell), `value table figure ${cell} in the PDF`);
  assert.ok(text.includes(paths.units.toLocaleString('en-US')), `the paths start count ${paths.units} in the PDF`);
  for (const c of retention.cohorts) assert.ok(text.includes(c.size.toLocaleString('en-US')), `cohort ${c.period} size ${c.size} in the PDF`);
  const pages = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [appPdf]).toString())[1]);
  assert.equal(await pageCount(), pages, 'the preview shows every page of the PDF');
});

test('the report screen with the three sections at 1280x800 and 1024x700, light and dark', async () => {
  await s.exec('document.querySelectorAll(\'[data-testid="toast"]\').forEach((t) => t.remove());');
  for (const [w, h] of [
    [1280, 800],
    [1024, 700],
  ]) {
    await s.setWindowSize(w, h);
    for (const theme of ['light', 'dark']) {
      await s.exec('document.documentElement.dataset.theme = arguments[0];', [theme]);
      await settled();
      await s.exec('document.querySelector(".inspector").scrollTop = 0;');
      await s.execAsync('const done = arguments[arguments.length - 1]; setTimeout(() => requestAnimationFrame(() => done(null)), 400);');
      await s.screenshot(`report-sections-${w}-${theme}`);
      assert.deepEqual(await cutOff(), [], `${w}x${h} ${theme}: no text cut off`);
      // the sections' editors, scrolled into view
      await s.exec('const c = document.querySelectorAll(\'[data-testid="report-section"]\'); c[c.length - 1].scrollIntoView({ block: "end" });');
      await s.execAsync('const done = arguments[arguments.length - 1]; setTimeout(() => requestAnimationFrame(() => done(null)), 200);');
      await s.screenshot(`report-sections-${w}-${theme}-editors`);
    }
  }
  await s.exec('document.documentElement.dataset.theme = "light";');
});
