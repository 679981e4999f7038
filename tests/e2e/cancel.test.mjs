// A long analysis in the real app shows its progress in the status bar and
// stops on Cancel (the button, then Esc), leaving the screen usable; run
// again, it gives the engine's numbers. The data: 6 million generated
// events imported with the CLI, the index's disk cache removed so that the
// dataset screen's count builds the index (seconds, even in a release build).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, quit } from './webdriver.mjs';
import { CLI, fmt } from './lib.mjs';

const EVENTS = 6_000_000;

let s;
let users;
before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-cancel-'));
  const csv = join(dir, 'big.csv');
  const ws = join(dir, 'workspace.stepwise');
  const gen = JSON.parse(execFileSync(CLI, ['generate', '--events', String(EVENTS), '--out', csv]).toString());
  users = gen.users;
  execFileSync(CLI, ['--workspace', ws, 'import', csv, '--name', 'big', '--json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  rmSync(csv);
  rmSync(`${ws}.index`, { recursive: true, force: true });
  s = await launch({ workspace: ws });
});
after(async () => {
  if (s) await quit(s);
});

const statusText = () => s.exec('return document.querySelector("footer.status")?.textContent.replace(/\\s+/g, " ").trim() ?? "";');

async function stopWhileCounting(how) {
  await s.find('[data-testid="analysis-progress"]', 30000);
  assert.match(await statusText(), /Summarising the dataset/);
  await s.waitFor(async () => /Reading column|Sorting the events/.test(await statusText()), 'a stage of the index build in the status bar', 10000);
  if (how === 'button') {
    await s.screenshot('cancel-progress-1280');
    await s.click(await s.find('[data-testid="cancel-analysis"]'));
  } else {
    await s.exec('document.body.dispatchEvent(new KeyboardEvent("keydown", {key: "Escape", bubbles: true}));');
  }
  await s.find('[data-testid="summary-stopped"]', 20000);
  await s.waitFor(async () => (await s.findAll('[data-testid="analysis-progress"]')).length === 0, 'the status bar without the analysis');
  assert.match(await statusText(), /Ready/);
  assert.equal((await s.findAll('[data-testid="dataset-users"]')).length, 0, 'no count from a cancelled run');
}

test('a long count shows progress, stops on Cancel and on Esc, and counts right when run again', async () => {
  await s.setWindowSize(1280, 800);
  await s.clickText('[data-testid="dataset-name"]', 'big');
  await stopWhileCounting('button');
  await s.screenshot('cancel-stopped-1280');
  // the window answers meanwhile: the preview grid reads rows
  await s.find('[data-testid="preview-grid"]');

  await s.click(await s.find('[data-testid="summary-recount"]'));
  await stopWhileCounting('esc');

  await s.click(await s.find('[data-testid="summary-recount"]'));
  const got = await s.text(await s.find('[data-testid="dataset-users"]', 120000));
  assert.equal(got, fmt(users), 'the users counted after two cancels are the generator\'s');
  assert.equal(await s.text(await s.find('[data-testid="dataset-events"]')), fmt(EVENTS));
  await s.setWindowSize(1024, 700);
  await s.screenshot('cancel-done-1024');
});
