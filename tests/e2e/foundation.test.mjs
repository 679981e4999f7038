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

    // The app opens the mapping screen of the new dataset, with the roles it detected.
    await s.find('[data-testid="mapping-screen"]');
    const roles = await s.exec(
      'return Array.from(document.querySelectorAll(\'[data-testid="mapping-column"]\')).map(r => [r.dataset.column, r.querySelector(\'[data-testid="mapping-role"]\').value]);',
    );
    assert.deepEqual(Object.fromEntries(roles), {
      time: 'time',
      event: 'event',
      user_id: 'user',
      page: 'page',
      device_category: '',
    });
    await s.screenshot('foundation-mapping');
    // The sidebar lists every dataset.
    const names = await s.waitFor(async () => {
      const texts = await s.exec(
        'return Array.from(document.querySelectorAll(\'[data-testid="dataset-item"] [data-testid="dataset-name"]\')).map(e => e.textContent.trim());',
      );
      return texts.includes('shop events') ? texts : null;
    }, 'the dataset in the list');
    assert.deepEqual(names, ['shop events']);
    const rows = await s.exec(
      'return document.querySelector(\'[data-testid="dataset-item"] [data-testid="dataset-rows"]\').textContent;',
    );
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
