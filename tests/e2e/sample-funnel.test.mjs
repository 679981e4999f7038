// First run with the sample store data: a funnel through the app's own
// command equals the CLI's on the same workspace, and a saved funnel is
// still there after the app restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, quit, ROOT } from './webdriver.mjs';

const cli = process.env.STEPWISE_CLI || join(ROOT, 'target/debug/stepwise');

const spec = {
  dataset: 'Sample store',
  steps: [{ event: 'view_item' }, { event: 'add_to_cart' }, { event: 'begin_checkout' }, { event: 'purchase' }],
  window: '7d',
  breakdown: { column: 'device_category' },
};

const invoke = (s, cmd, args) =>
  s.execAsync(
    'const done = arguments[arguments.length - 1];' +
      'window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then((v) => done({ ok: v }), (e) => done({ err: e }));',
    [cmd, args],
  );

test('sample data, a funnel equal to the CLI, saved across a restart', async () => {
  let expected = [];
  const s = await launch();
  const ws = s.workspace;
  try {
    await s.click(await s.find('[data-testid="open-sample"]'));
    await s.find('[data-testid="mapping-screen"]', 60000);
    await s.screenshot('sample-mapping');
    await s.click(await s.find('[data-testid="mapping-done"]'));

    const r = await invoke(s, 'run_funnel', { spec });
    assert.ok(r.ok, JSON.stringify(r.err));
    const dir = mkdtempSync(join(tmpdir(), 'stepwise-spec-'));
    writeFileSync(join(dir, 'f.json'), JSON.stringify(spec));
    const viaCli = JSON.parse(execFileSync(cli, ['--workspace', ws, 'funnel', join(dir, 'f.json'), '--json']).toString());
    assert.deepEqual(
      r.ok.steps.map((x) => x.count),
      viaCli.steps.map((x) => x.count),
    );
    assert.ok(r.ok.steps[0].count > 0);
    expected = viaCli.steps.map((x) => x.count.toLocaleString('en-US'));
    assert.deepEqual(
      r.ok.breakdown.map((b) => [b.value, b.steps.map((x) => x.count)]),
      viaCli.breakdown.map((b) => [b.value, b.steps.map((x) => x.count)]),
    );

    const saved = await invoke(s, 'save_item', { kind: 'funnel', name: 'Checkout funnel', spec });
    assert.ok(!saved.err, JSON.stringify(saved.err));
  } finally {
    await quit(s);
  }

  // Restart on the same workspace: the dataset and the funnel are still there.
  const again = await launch({ workspace: ws });
  try {
    const names = await again.waitFor(async () => {
      const t = await again.exec('return document.querySelector("nav, aside, body").innerText;');
      return t.includes('Checkout funnel') && t.includes('Sample store') ? t : null;
    }, 'the saved funnel in the sidebar');
    assert.ok(names);
    await again.screenshot('sample-after-restart');
    // Open the saved funnel: the builder recomputes it and shows the CLI's counts.
    await again.exec(
      'const el = Array.from(document.querySelectorAll("li.saved button.item")).find((e) => e.textContent.trim().startsWith("Checkout funnel")); el.click();',
    );
    const shown = await again.waitFor(async () => {
      const c = await again.exec(
        'return Array.from(document.querySelectorAll(\'[data-testid="funnel-table"] [data-testid="step-count"]\')).map((e) => e.textContent.trim());',
      );
      return c.length === 4 ? c : null;
    }, 'the saved funnel recomputed');
    assert.deepEqual(shown, expected);
    await again.screenshot('sample-funnel-builder');
  } finally {
    await quit(again);
  }
});
