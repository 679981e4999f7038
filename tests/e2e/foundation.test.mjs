// The thin slice, end to end on the real app: import a CSV through the same
// function a file drop calls, see it listed, and see the CLI agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, quit, ROOT } from './webdriver.mjs';

const cli = process.env.STEPWISE_CLI || join(ROOT, 'target/debug/stepwise');

test('a dropped CSV is imported and listed, and the CLI sees it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-csv-'));
  const csv = join(dir, 'shop events.csv');
  let text = 'time,event,user_id,page,device_category\n';
  for (let i = 0; i < 1500; i++) {
    const t = new Date(Date.UTC(2024, 8, 1) + i * 60000).toISOString();
    text += `${t},${['page_view', 'view_item', 'add_to_cart'][i % 3]},u${i % 97},/p/${i % 13},${i % 2 ? 'mobile' : 'desktop'}\n`;
  }
  writeFileSync(csv, text);

  const s = await launch();
  try {
    await s.find('[data-testid="empty-state"]');
    await s.screenshot('foundation-empty');
    const importButton = await s.find('[data-testid="import-button"]');
    assert.ok(importButton);

    const err = await s.execAsync(
      'const done = arguments[arguments.length - 1];' +
        'window.stepwise.importPaths(arguments[0]).then(() => done(null), (e) => done(String(e && e.message || e)));',
      [[csv]],
    );
    assert.equal(err, null);

    // The app opens the new dataset; its preview shows the rows.
    await s.find('[data-testid="preview-grid"]');
    await s.screenshot('foundation-dataset-view');
    // Home lists every dataset.
    await s.click(await s.find('button.ws-name'));
    const names = await s.waitFor(async () => {
      const els = await s.findAll('[data-testid="dataset-item"] [data-testid="dataset-name"]');
      const texts = await Promise.all(els.map((e) => s.text(e)));
      return texts.includes('shop events') ? texts : null;
    }, 'the dataset in the list');
    assert.deepEqual(names, ['shop events']);
    const rows = await s.text(await s.find('[data-testid="dataset-item"] [data-testid="dataset-rows"]'));
    assert.match(rows, /1,500/);
    const shot = await s.screenshot('foundation-imported');
    assert.ok(existsSync(shot));
  } finally {
    await quit(s);
  }

  const out = JSON.parse(execFileSync(cli, ['--workspace', s.workspace, 'datasets', '--json']).toString());
  assert.equal(out.datasets.length, 1);
  assert.equal(out.datasets[0].name, 'shop events');
  assert.equal(out.datasets[0].rows, 1500);
  assert.equal(out.datasets[0].kind, 'events');
});

test('a broken file shows a readable error and stores nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-csv-'));
  const csv = join(dir, 'ragged.csv');
  writeFileSync(csv, 'a,b\n1,2\n1,2,3\n');
  const s = await launch();
  try {
    await s.find('[data-testid="import-button"]');
    await s.execAsync(
      'const done = arguments[arguments.length - 1];' +
        'window.stepwise.importPaths(arguments[0]).then(() => done(null), (e) => done(String(e)));',
      [[csv]],
    );
    const el = await s.find('[data-testid="error"]');
    const msg = await s.waitFor(async () => (await s.text(el)) || null, 'the error text');
    assert.match(msg, /ragged\.csv/);
    assert.match(msg, /row 3/);
    await s.screenshot('foundation-error');
  } finally {
    await quit(s);
  }
  const out = JSON.parse(execFileSync(cli, ['--workspace', s.workspace, 'datasets', '--json']).toString());
  assert.equal(out.datasets.length, 0);
});
