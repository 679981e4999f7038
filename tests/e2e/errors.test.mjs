// Flow 7: broken files. Each shows a readable error banner naming the file,
// the dataset list stays as it was, and the window never goes blank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, quit } from './webdriver.mjs';
import { cliDatasets, sidebarDatasets } from './lib.mjs';

/** What a file drop does (the drop itself is outside WebDriver's reach); resolves to an error text or null. */
const drop = (s, paths) =>
  s.execAsync(
    'const done = arguments[arguments.length - 1];' +
      'window.stepwise.importPaths(arguments[0]).then(() => done(null), (e) => done(String(e && e.message || e)));',
    [paths],
  );

const banner = (s) =>
  s.exec('const e = document.querySelector(\'[data-testid="error"]\'); return e ? e.textContent.replace(/\\s+/g, " ").trim() : null;');

/** Not blank: the sidebar, a heading or the empty state, and readable text in the main area. */
async function assertNotBlank(s, when) {
  const main = await s.exec('return document.querySelector("main")?.innerText.trim() ?? "";');
  const nav = await s.exec('return document.querySelector("nav")?.textContent.trim() ?? "";');
  assert.ok(main.length > 20, `${when}: the main area shows text, got ${JSON.stringify(main)}`);
  assert.match(nav, /Datasets/, `${when}: the sidebar is there`);
  const crashed = await s.exec('return document.body.innerText.includes("This screen stopped working");');
  assert.equal(crashed, false, `${when}: no crash screen`);
}

test('flow 7: an empty file and binary garbage show a readable error naming the file; nothing is stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-broken-'));
  const good = join(dir, 'visits.csv');
  let text = 'time,event,user_id\n';
  for (let i = 0; i < 40; i++) text += `2024-09-01T10:${String(i).padStart(2, '0')}:00Z,page_view,u${i % 7}\n`;
  writeFileSync(good, text);
  const empty = join(dir, 'empty export.csv');
  writeFileSync(empty, '');
  const garbage = join(dir, 'garbage.xlsx');
  writeFileSync(garbage, randomBytes(4096));
  const garbageCsv = join(dir, 'noise.csv');
  // Bytes that are not text in any encoding: NULs and invalid UTF-8 throughout.
  writeFileSync(garbageCsv, Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x00, 0x00]), randomBytes(3000)]));

  const s = await launch();
  try {
    await s.find('[data-testid="empty-state"]');
    await assertNotBlank(s, 'the first run');
    assert.equal(await drop(s, [good]), null);
    await s.find('[data-testid="mapping-screen"]');
    await s.click(await s.find('[data-testid="mapping-done"]'));
    const before = await s.waitFor(async () => {
      const d = await sidebarDatasets(s);
      return d.length === 1 ? d : null;
    }, 'the good file in the list');
    assert.deepEqual(before, [['visits', '40']]);

    for (const [file, name] of [
      [empty, 'empty export.csv'],
      [garbage, 'garbage.xlsx'],
      [garbageCsv, 'noise.csv'],
    ]) {
      await drop(s, [file]);
      const msg = await s.waitFor(async () => {
        const m = await banner(s);
        return m && m.includes(name) ? m : null;
      }, `the error banner naming ${name}`);
      // One or two readable sentences, not a stack trace or a debug dump.
      assert.ok(msg.length < 400, `a short message: ${msg}`);
      assert.doesNotMatch(msg, /panicked|RUST_BACKTRACE|\bError \{|undefined|\[object Object\]/, msg);
      assert.deepEqual(await sidebarDatasets(s), before, `${name}: the dataset list is unchanged`);
      await assertNotBlank(s, name);
      await s.screenshot(`flow7-error-${name.replace(/[^a-z]+/g, '-')}`);
      // Dismiss it, as a user would, before the next file.
      await s.click(await s.find('[data-testid="error"] button[aria-label="Dismiss"]'));
      await s.waitFor(async () => (await banner(s)) === null, 'the banner dismissed');
    }
  } finally {
    await quit(s);
  }
  const stored = cliDatasets(s.workspace);
  assert.deepEqual(
    stored.map((d) => [d.name, d.rows]),
    [['visits', 40]],
  );
});
