// Flow 1: two real exports dropped together (a GA4 BigQuery CSV and an Excel
// workbook) open the mapping screen one after the other with the roles and
// types that ../shared/data/real/SOURCES.md gives for their named columns;
// after "Looks right" both are listed with their row counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launch, quit, SHARED } from './webdriver.mjs';
import { cliDatasets, mappingRoles, sidebarDatasets } from './lib.mjs';

// From SOURCES.md, not from the importer: "user = user_pseudo_id (must be read
// as text); time = event_timestamp (microseconds since epoch); item = item_id;
// value = item_revenue_in_usd"; 15,000 data rows kept.
const GA4 = {
  file: 'ga/ga4_bigquery_items_sample_head15000.csv',
  dataset: 'ga4_bigquery_items_sample_head15000',
  rows: 15000,
  roles: { user_pseudo_id: 'user', event_timestamp: 'time', item_id: 'item', item_revenue_in_usd: 'value' },
  types: { user_pseudo_id: 'text', event_timestamp: 'timestamp' },
};
// "user = CustomerID, time = InvoiceDate, item = StockCode"; InvoiceDate is an
// Excel serial that only its style marks as a date; InvoiceNo and StockCode mix
// numbers with text (C536379, 85123A), so they must be text; 5,061 data rows.
const RETAIL = {
  file: 'datasets/uci_online_retail_head.xlsx',
  dataset: 'uci_online_retail_head',
  rows: 5061,
  roles: { CustomerID: 'user', InvoiceDate: 'time', StockCode: 'item' },
  types: { InvoiceDate: 'timestamp', InvoiceNo: 'text', StockCode: 'text' },
};

const mappingTypes = (s) =>
  s
    .exec(
      'return Array.from(document.querySelectorAll(\'[data-testid="mapping-column"]\')).map((r) =>' +
        ' [r.dataset.column, r.querySelector(\'[data-testid="mapping-type"]\').value]);',
    )
    .then(Object.fromEntries);

const pick = (o, keys) => Object.fromEntries(keys.map((k) => [k, o[k]]));

test('flow 1: real GA4 and Excel exports map with the right roles and are listed with their rows', async (t) => {
  const paths = [GA4, RETAIL].map((x) => join(SHARED, x.file));
  if (!paths.every(existsSync)) {
    t.skip(`the real exports are not at ${SHARED} (a checkout beside ../shared has them)`);
    return;
  }
  const s = await launch();
  try {
    await s.find('[data-testid="empty-state"]');
    const err = await s.execAsync(
      'const done = arguments[arguments.length - 1];' +
        'window.stepwise.importPaths(arguments[0]).then(() => done(null), (e) => done(String(e && e.message || e)));',
      [paths],
    );
    assert.equal(err, null);

    for (const [i, x] of [GA4, RETAIL].entries()) {
      await s.waitFor(
        async () =>
          (await s.exec('return document.querySelector(\'[data-testid="mapping-screen"] h1\')?.textContent ?? "";')).includes(
            x.dataset,
          ),
        `the mapping screen of ${x.dataset}`,
        90000,
      );
      const caption = await s.exec('return document.querySelector(\'[data-testid="mapping-screen"] header p\').textContent;');
      assert.match(caption, new RegExp(`File ${i + 1} of 2`));
      assert.match(caption, new RegExp(`${x.rows.toLocaleString('en-US')} rows`));
      const roles = await mappingRoles(s);
      assert.deepEqual(pick(roles, Object.keys(x.roles)), x.roles, `${x.file}: roles`);
      // At most one column per analysis role (dimensions and metrics may be many).
      const used = Object.values(roles).filter((r) => r && r !== 'dimension' && r !== 'metric');
      assert.equal(new Set(used).size, used.length, `one column per role: ${JSON.stringify(roles)}`);
      assert.deepEqual(pick(await mappingTypes(s), Object.keys(x.types)), x.types, `${x.file}: types`);
      await s.screenshot(`flow1-mapping-${i + 1}`);
      await s.click(await s.find('[data-testid="mapping-done"]'));
    }

    // Done: the dataset screen of the last file, and both in the sidebar with their row counts.
    const listed = await s.waitFor(async () => {
      const d = await sidebarDatasets(s);
      return d.length === 2 ? d : null;
    }, 'both datasets in the sidebar');
    assert.deepEqual(
      listed.sort(),
      [GA4, RETAIL].map((x) => [x.dataset, x.rows.toLocaleString('en-US')]).sort(),
    );
    await s.waitFor(async () => !(await s.find('[data-testid="mapping-screen"]', 0).catch(() => null)), 'the mapping screen closed');
    await s.screenshot('flow1-imported');
  } finally {
    await quit(s);
  }
  const stored = cliDatasets(s.workspace);
  assert.deepEqual(stored.map((d) => [d.name, d.rows]).sort(), [
    [GA4.dataset, GA4.rows],
    [RETAIL.dataset, RETAIL.rows],
  ].sort());
});

// SOURCES.md: "Three visible sheets: Orders (A1:U9995, header row 1), Returns
// (A1:B297), People (A1:B5)" — 9,994, 296 and 4 data rows.
const SUPERSTORE = { file: 'datasets/tableau_sample_superstore.xls', dataset: 'tableau_sample_superstore' };

test('a workbook of three sheets asks which one, the largest selected; the picked sheet is imported', async (t) => {
  const path = join(SHARED, SUPERSTORE.file);
  if (!existsSync(path)) {
    t.skip(`the real exports are not at ${SHARED} (a checkout beside ../shared has them)`);
    return;
  }
  const s = await launch();
  try {
    await s.find('[data-testid="empty-state"]');
    // not awaited: the import waits for the answer in the picker
    await s.exec('window.stepwise.importPaths(arguments[0]); return null;', [[path]]);
    await s.find('[data-testid="sheet-picker"]', 30000);
    const options = await s.exec(
      'return Array.from(document.querySelectorAll(\'[data-testid="sheet-option"]\'))' +
        '.map((o) => [o.dataset.title, o.querySelector("input").checked]);',
    );
    assert.deepEqual(options, [
      ['Orders', true],
      ['Returns', false],
      ['People', false],
    ]);
    const summaries = await s.texts('[data-testid="sheet-option"] .caption');
    assert.match(summaries[0], /9,994 rows/);
    assert.match(summaries[1], /296 rows/);
    await s.screenshot('flow1-sheet-picker');
    await s.click(await s.find('[data-testid="sheet-option"]:nth-child(2) input'));
    await s.click(await s.find('[data-testid="sheet-import"]'));
    await s.find('[data-testid="mapping-screen"]', 90000);
    const caption = await s.exec('return document.querySelector(\'[data-testid="mapping-screen"] header p\').textContent;');
    assert.match(caption, /296 rows/);
    assert.deepEqual(Object.keys(await mappingRoles(s)), ['Returned', 'Order ID']);
    await s.click(await s.find('[data-testid="mapping-done"]'));
    await s.waitFor(async () => (await sidebarDatasets(s)).length === 1, 'the dataset in the sidebar');
  } finally {
    await quit(s);
  }
  const stored = cliDatasets(s.workspace);
  assert.equal(stored.length, 1);
  assert.equal(stored[0].rows, 296);
});
