// The installed app ($STEPWISE_APP, e.g. /usr/bin/stepwise-desktop) answers a
// WebDriver session: its first-run screen is there, its workspace is created,
// and it imports a small CSV. Run by tests/bundle/deb.sh under Xvfb.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, quit } from '../e2e/webdriver.mjs';

const s = await launch();
try {
  await s.find('[data-testid="empty-state"]', 30000);
  const title = await s.cmd('GET', '/title');
  assert.equal(title, 'Stepwise');
  assert.ok(existsSync(s.workspace), `the workspace ${s.workspace} exists`);
  const csv = join(mkdtempSync(join(tmpdir(), 'stepwise-smoke-')), 'smoke.csv');
  writeFileSync(csv, 'time,event,user_id\n2024-09-01T10:00:00Z,page_view,u1\n2024-09-01T10:01:00Z,purchase,u1\n');
  const err = await s.execAsync(
    'const done = arguments[arguments.length - 1];' +
      'window.stepwise.importPaths(arguments[0]).then(() => done(null), (e) => done(String(e)));',
    [[csv]],
  );
  assert.equal(err, null);
  await s.find('[data-testid="mapping-screen"]');
  // The shipped font is loaded and used (text is drawn, not left invisible while a font loads).
  const fonts = await s.execAsync(
    'const done = arguments[arguments.length - 1];' +
      'document.fonts.ready.then(() => done([document.fonts.status, document.fonts.check(\'13px "DejaVu Sans"\')]));',
  );
  assert.deepEqual(fonts, ['loaded', true]);
  await s.waitFor(
    () => s.exec('return document.querySelector(\'[data-testid="mapping-screen"] h1\')?.getBoundingClientRect().width > 100;'),
    'the mapping screen drawn',
  );
  await s.screenshot('bundle-installed-app');
  console.log(`WebDriver session on ${process.env.STEPWISE_APP}: title "${title}", first-run screen, import ok`);
} finally {
  await quit(s);
}
