// The Reports screen is the engine's report: on a generated workspace with a
// funnel, a comparison and an impact analysis saved by the CLI, a report with
// a funnel, a comparison, an impact, a trend and a text section is built by
// clicking; its preview is the engine's own pages (the CLI's numbers on them),
// the saved report runs as `stepwise report --saved NAME`, and the PDF the
// app exports has the same text (pdftotext) as the CLI's. PNG, CSV and XLSX
// exports name the files written. Screenshots at 1280x800 and 1024x700, light
// and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ELEMENT, launch, quit } from './webdriver.mjs';
import { CLI, cliJson, reportPreviewText, sidebarItems } from './lib.mjs';

const DATASET = 'shop';
const TITLE = 'September review';
const FUNNEL = { dataset: DATASET, steps: ['view_item', 'add_to_cart', 'purchase'].map((event) => ({ event })) };
const SAVED = {
  funnel: ['Checkout', FUNNEL],
  compare: ['By device', { funnel: FUNNEL, by: 'device_category' }],
  impact: ['Drivers', { dataset: DATASET, goal: { event: 'purchase' }, candidates: 'auto' }],
};
const FINDINGS = 'Mobile checkout leaks most: fix the payment step first.';

const dir = mkdtempSync(join(tmpdir(), 'stepwise-e2e-report-'));
const ws = join(dir, 'workspace.stepwise');
const cli = (...args) => execFileSync(CLI, ['--workspace', ws, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
let s;

before(async () => {
  // the generated workspace, its analyses saved where the app keeps saved work
  const csv = join(dir, 'shop.csv');
  execFileSync(CLI, ['generate', '--events', '50000', '--out', csv], { stdio: 'pipe' });
  cli('import', csv, '--name', DATASET);
  for (const [kind, [name, spec]] of Object.entries(SAVED)) {
    const file = join(dir, `${kind}.json`);
    writeFileSync(file, JSON.stringify(spec));
    cli('save', kind, name, file);
  }
  s = await launch({ workspace: ws });
  await s.setWindowSize(1280, 800);
});
after(async () => {
  if (s) await quit(s);
});

const previewText = () => reportPreviewText(s);
/** Fills a field of the definition panel, scrolled into view first (the panel scrolls on its own). */
async function fillIn(css, text) {
  const el = await s.find(css);
  await s.exec('arguments[0].scrollIntoView({ block: "center" });', [{ [ELEMENT]: el }]);
  await s.fill(el, text);
}
const pageCount = () => s.exec('return document.querySelectorAll(\'[data-testid="report-page"]\').length;');
const settled = () =>
  s.waitFor(
    async () => (await pageCount()) > 0 && !(await s.exec('return !!document.querySelector(\'[data-testid="report-building"]\');')),
    'the preview pages',
    60000,
  );
/** pdftotext of a PDF, the "Prepared on" date left out (the CLI and the app may run a day apart). */
const pdfText = (pdf) =>
  execFileSync('pdftotext', ['-layout', pdf, '-'])
    .toString()
    .replace(/\b\d{1,2} [A-Z][a-z]+ 20(2[5-9]|[3-9]\d)\b/g, 'DATE'); // the data is of 2024
/** Waits for a quiet screen (the preview built, fonts drawn), then screenshots. */
async function shot(name) {
  await settled();
  await s.execAsync('const done = arguments[arguments.length - 1]; setTimeout(() => requestAnimationFrame(() => done(null)), 400);');
  return s.screenshot(name);
}
/** Texts of the report screen that are cut off (wider than their box) or panels that scroll sideways. */
const cutOff = () =>
  s.exec(
    'const out = []; for (const e of document.querySelectorAll(".inspector, .inspector .row, .inspector .actions, .inspector .caption, [data-testid=report-preview] h1, [data-testid=report-preview] .caption"))' +
      ' if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).textOverflow !== "ellipsis") out.push((e.className || e.tagName) + ": " + e.textContent.trim().slice(0, 40));' +
      'return out;',
  );

test('a report of every kind, built by clicking, previews the engine pages and exports the CLI report', async () => {
  await s.waitFor(async () => (await sidebarItems(s, 'Funnels')).includes('Checkout'), 'the CLI-saved funnel in the sidebar', 30000);
  await s.click(await s.find('button[aria-label="New report"]'));
  await s.fill(await s.find('input[aria-label="Report title"]'), TITLE);
  const add = await s.find('[data-testid="report-add-funnel"]');
  for (const label of ['Checkout', 'By device', 'Drivers', 'Checkout: over time']) {
    await s.choose(add, label, { verify: false });
  }
  await s.click(await s.find('[data-testid="report-add-text"]'));
  await fillIn('textarea[aria-label="Section 5 text"]', FINDINGS);
  await fillIn('textarea[aria-label="Section 1 findings"]', 'Few viewers buy.');
  assert.deepEqual(
    await s.exec('return Array.from(document.querySelectorAll(\'[data-testid="report-section"]\')).map((e) => e.dataset.kind);'),
    ['funnel', 'compare', 'impact', 'trend', 'text'],
  );
  // move the text up by keyboard and back by button
  await s.exec(
    'document.querySelectorAll(\'[data-testid="report-section"]\')[4].dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowUp", altKey: true, bubbles: true }));',
  );
  assert.equal(await s.exec('return document.querySelectorAll(\'[data-testid="report-section"]\')[3].dataset.kind;'), 'text');
  await s.click(await s.find('button[aria-label="Move section 4 down"]'));
  assert.equal(await s.exec('return document.querySelectorAll(\'[data-testid="report-section"]\')[4].dataset.kind;'), 'text');

  // the preview: the engine's pages, with the CLI's numbers and the analyst's words on them
  await settled();
  await s.waitFor(async () => (await previewText()).includes(FINDINGS.slice(0, 20)), 'the findings on a preview page', 30000);
  const funnel = cliJson(ws, 'funnel', FUNNEL);
  const text = await previewText();
  for (const row of funnel.shown.table.rows) assert.ok(text.includes(row[1].text), `count ${row[1].text} on a preview page`);
  await shot('report-1280-light');

  await s.click(await s.find('[data-testid="save-report"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Reports')).includes(TITLE), 'the saved report in the sidebar');

  // the app's PDF is the CLI's, from the saved report
  const appPdf = join(dir, 'app.pdf');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [appPdf]);
  await s.click(await s.find('[data-testid="export-pdf"]'));
  await s.waitFor(async () => (await s.bodyText()).includes(`Exported ${appPdf}`), 'the PDF export notice', 60000);
  const cliPdf = join(dir, 'cli.pdf');
  cli('report', '--saved', TITLE, '--out', cliPdf);
  const appText = pdfText(appPdf);
  assert.ok(appText.includes(FINDINGS.slice(0, 30)) && appText.includes(TITLE), 'the title and findings in the PDF');
  assert.equal(appText, pdfText(cliPdf), 'pdftotext of the app PDF equals that of stepwise report --saved');
  const pages = Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [appPdf]).toString())[1]);
  assert.equal(await pageCount(), pages, 'the preview shows every page of the PDF');

  // PNG pages: the notice names the files written
  const pngDir = mkdtempSync(join(dir, 'png-'));
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [join(pngDir, 'review.png')]);
  await s.click(await s.find('[data-testid="export-png"]'));
  await s.waitFor(async () => (await s.bodyText()).includes(`Exported ${pages} files`), 'the PNG export notice', 60000);
  const pngs = readdirSync(pngDir).sort();
  assert.equal(pngs.length, pages, 'one PNG per page');
  assert.equal(pngs[0], 'review-01.png');
  const notice = await s.bodyText();
  assert.ok(notice.includes('review-01.png') && notice.includes(pngs.at(-1)), `the notice names ${pngs[0]} … ${pngs.at(-1)}`);
  assert.ok(!notice.includes('review.png'), 'not the name typed');

  // CSV tables and the XLSX workbook: the CLI's
  const csvDir = mkdtempSync(join(dir, 'csv-'));
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [join(csvDir, 'review.csv')]);
  await s.click(await s.find('[data-testid="export-csv"]'));
  await s.waitFor(() => readdirSync(csvDir).length > 0, 'the CSV tables', 60000);
  const cliCsvDir = mkdtempSync(join(dir, 'cli-csv-'));
  cli('report', '--saved', TITLE, '--out', join(cliCsvDir, 'review.csv'));
  assert.deepEqual(readdirSync(csvDir).sort(), readdirSync(cliCsvDir).sort(), 'the same tables as the CLI');
  await s.waitFor(async () => (await s.bodyText()).includes(readdirSync(csvDir).sort()[0]), 'the CSV notice names its files');
  const xlsx = join(dir, 'review.xlsx');
  await s.exec('window.stepwise.queueSavePath(arguments[0]);', [xlsx]);
  await s.click(await s.find('[data-testid="export-xlsx"]'));
  await s.waitFor(() => existsSync(xlsx), 'the XLSX', 60000);
  assert.equal(execFileSync('unzip', ['-l', xlsx]).toString().includes('xl/worksheets/sheet1.xml'), true, 'an XLSX workbook');
});

test('the pages enlarge by click and turn by keyboard; the screen at 1280x800 and 1024x700, light and dark', async () => {
  const pages = await pageCount();
  await s.click((await s.findAll('[data-testid="report-page"]'))[1]);
  const label = () => s.exec('return document.querySelector(\'[data-testid="report-page-viewer"]\')?.getAttribute("aria-label") ?? null;');
  assert.equal(await label(), `Page 2 of ${pages}`);
  const key = (k) => s.exec('window.dispatchEvent(new KeyboardEvent("keydown", { key: arguments[0], bubbles: true }));', [k]);
  await key('ArrowRight');
  assert.equal(await label(), `Page 3 of ${pages}`);
  await shot('report-page-1280-light');
  await key('Escape');
  assert.equal(await label(), null);

  for (const [w, h] of [
    [1280, 800],
    [1024, 700],
  ]) {
    await s.setWindowSize(w, h);
    for (const theme of ['light', 'dark']) {
      await s.exec('document.documentElement.dataset.theme = arguments[0];', [theme]);
      await shot(`report-${w}-${theme}`);
      assert.deepEqual(await cutOff(), [], `${w}x${h} ${theme}: no text cut off`);
    }
    await s.exec('document.documentElement.dataset.theme = "light";');
  }
  await s.click((await s.findAll('[data-testid="report-page"]'))[0]);
  await shot('report-page-1024-light');
  await key('Escape');
});
