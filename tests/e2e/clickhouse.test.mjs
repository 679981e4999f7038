// A dataset's ClickHouse connection in the app: stored on the dataset page,
// then the funnel builder's "Count on: ClickHouse" counts the same funnel on
// a real ClickHouse engine (chdb behind tests/reference/chdb_http.py, the
// loopback front end speaking ClickHouse's HTTP protocol) and shows the
// counts `stepwise funnel --engine clickhouse --json` gives, equal to the
// local ones. Screenshots at 1280x800 and 1024x700.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { launch, quit, ROOT } from './webdriver.mjs';
import { CLI, cliDatasets, cliJson, fmt, openSample, reportPreviewText, sidebarItems } from './lib.mjs';

const DATASET = 'Sample store';
const EVENTS = ['view_item', 'add_to_cart', 'purchase'];
const FUNNEL = { dataset: DATASET, steps: EVENTS.map((event) => ({ event })), order: 'ordered', window: '14d', count: 'users' };

let s;
let server;
before(async () => {
  s = await launch();
});
after(async () => {
  if (s) await quit(s);
  if (server) server.stdin.end();
});

/** Starts the loopback ClickHouse over the sample's CSV as table `events`; resolves with its URL. */
async function startClickhouse(ws) {
  const source = cliDatasets(ws).find((d) => d.name === DATASET).source;
  const cols = JSON.parse(execFileSync(CLI, ['--workspace', ws, 'connect', DATASET, '--schema', '--json']).toString());
  const schema = cols.map(([n, t]) => `\`${n}\` ${t}`).join(', ');
  server = spawn('python3', [join(ROOT, 'tests/reference/chdb_http.py'), 'events', schema, source], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    createInterface({ input: server.stdout }).once('line', resolve);
    server.once('exit', (c) => reject(new Error(`chdb_http.py exited with ${c}`)));
  });
  return `http://127.0.0.1:${port.trim()}/`;
}

const stepCounts = () => s.texts('[data-testid="funnel-table"] [data-testid="step-count"]');

test('a funnel counted on ClickHouse shows the CLI counts, equal to the local ones', async () => {
  await openSample(s);
  await s.setWindowSize(1280, 800);
  const url = await startClickhouse(s.workspace);

  // the dataset page: connect, with a refusal first (https), then the real URL
  await s.click(await s.find('[data-testid="dataset-item"]'));
  await s.click(await s.find('[data-testid="ch-connect"]'));
  await s.fill(await s.find('[data-testid="ch-url"]'), 'https://ch.example.com/');
  await s.click(await s.find('[data-testid="ch-save"]'));
  const refusal = await s.text(await s.find('[data-testid="ch-error"]'));
  assert.match(refusal, /must start with http:\/\//);
  await s.fill(await s.find('[data-testid="ch-url"]'), url);
  await s.fill(await s.find('[data-testid="ch-table"]'), 'events');
  await s.click(await s.find('[data-testid="ch-save"]'));
  const stored = await s.text(await s.find('[data-testid="ch-stored"]'));
  assert.ok(stored.includes(url) && stored.includes('events'), stored);
  const cli = JSON.parse(execFileSync(CLI, ['--workspace', s.workspace, 'connect', DATASET, '--json']).toString());
  assert.deepEqual(cli, { url, table: 'events' }, 'the app stored what the CLI reads');
  for (const [w, h] of [
    [1280, 800],
    [1024, 700],
  ]) {
    await s.setWindowSize(w, h);
    await s.screenshot(`clickhouse-dataset-${w}`);
  }
  await s.setWindowSize(1280, 800);

  // the funnel: counted here, then there
  await s.click(await s.find('button[aria-label="New funnel"]'));
  await s.choose(await s.find('[data-testid="funnel-dataset"]'), DATASET);
  await s.waitFor(async () => (await s.findAll('[data-testid="picker-option"]')).length > 3, 'the picker lists the events');
  for (const [i, ev] of EVENTS.entries()) {
    if (i > 0) await s.click(await s.find('[data-testid="add-step"]'));
    await s.fill(await s.find('[data-testid="step-picker"] input'), ev.slice(0, Math.max(4, ev.length - 3)));
    await s.clickText('[data-testid="picker-option"] .value', ev);
  }
  const local = cliJson(s.workspace, 'funnel', FUNNEL).steps.map((x) => fmt(x.count));
  await s.waitFor(async () => JSON.stringify(await stepCounts()) === JSON.stringify(local), `the local counts ${local}`, 30000);
  const remote = cliJson(s.workspace, 'funnel', FUNNEL, ['--engine', 'clickhouse']);
  assert.equal(remote.engine, 'clickhouse');
  assert.deepEqual(remote.steps.map((x) => fmt(x.count)), local, 'ClickHouse counts what the laptop counts');
  await s.choose(await s.find('[data-testid="funnel-engine"]'), 'ClickHouse');
  await s.waitFor(
    async () => (await s.texts('[data-testid="funnel-warnings"] li')).some((w) => w.includes('Counted on ClickHouse')),
    'the note that the funnel was counted on ClickHouse',
    30000,
  );
  assert.deepEqual(await stepCounts(), remote.steps.map((x) => fmt(x.count)));
  for (const [w, h] of [
    [1280, 800],
    [1024, 700],
  ]) {
    await s.setWindowSize(w, h);
    await s.screenshot(`clickhouse-funnel-${w}`);
  }

  // a comparison by device, counted on ClickHouse: the CLI's table, statistics computed here
  await s.setWindowSize(1280, 800);
  await s.fill(await s.find('input[aria-label="Funnel name"]'), 'Checkout');
  await s.click(await s.find('[data-testid="save-funnel"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Funnels')).includes('Checkout'), 'the saved funnel in the sidebar');
  await s.click(await s.find('[data-testid="open-compare"]'));
  await s.choose(await s.find('[data-testid="compare-funnel"]'), 'Checkout');
  await s.click(await s.find('aside input[type="radio"][value="column"]'));
  await s.choose(await s.find('[data-testid="compare-column"]'), 'device_category');
  const compareSpec = { funnel: FUNNEL, by: 'device_category' };
  const localCompare = cliJson(s.workspace, 'compare', compareSpec);
  const remoteCompare = cliJson(s.workspace, 'compare', compareSpec, ['--engine', 'clickhouse']);
  assert.equal(remoteCompare.engine, 'clickhouse');
  const table = (r) => r.shown.table.rows.map((row) => row.map((c) => c.text));
  assert.deepEqual(table(remoteCompare), table(localCompare), 'ClickHouse groups give the local statistics');
  await s.choose(await s.find('[data-testid="compare-engine"]'), 'ClickHouse');
  const compareRows = () =>
    s.exec('return Array.from(document.querySelectorAll(\'[data-testid="compare-row"]\')).map((r) => Array.from(r.cells).map((c) => c.textContent.trim()));');
  await s.waitFor(
    async () => (await s.texts('[data-testid="compare-notes"] li')).some((n) => n.includes('Counted on ClickHouse')),
    'the note that the groups were counted on ClickHouse',
    30000,
  );
  assert.deepEqual(await compareRows(), table(remoteCompare));
  await s.setWindowSize(1024, 700);
  await s.screenshot('clickhouse-compare-1024');

  // a report counted on ClickHouse: its pages say where, with the CLI's counts;
  // a section ClickHouse does not count is refused in the engine's words
  await s.setWindowSize(1280, 800);
  await s.click(await s.find('button[aria-label="New report"]'));
  await s.fill(await s.find('input[aria-label="Report title"]'), 'Counted on the server');
  await s.choose(await s.find('[data-testid="report-add-funnel"]'), 'Checkout', { verify: false });
  await s.choose(await s.find('[data-testid="report-engine"]'), 'ClickHouse (funnels and comparisons)');
  await s.waitFor(async () => (await reportPreviewText(s)).includes('ClickHouse at'), 'the method item naming ClickHouse on a preview page', 60000);
  const pages = await reportPreviewText(s);
  assert.ok(pages.includes(url), 'the server on the preview pages');
  for (const c of remote.steps.map((x) => fmt(x.count))) assert.ok(pages.includes(c), `count ${c} on a preview page`);
  await s.click(await s.find('[data-testid="save-report"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Reports')).includes('Counted on the server'), 'the saved report');
  const savedSpec = JSON.parse(execFileSync(CLI, ['--workspace', s.workspace, 'saved', 'report', '--json']).toString()).items.find(
    (i) => i.name === 'Counted on the server',
  ).spec;
  assert.equal(savedSpec.engine, 'clickhouse', 'the saved report keeps where it is counted');
  await s.setWindowSize(1024, 700);
  await s.screenshot('clickhouse-report-1024');
});
