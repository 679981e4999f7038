// What the flow tests share: the CLI the app's numbers are checked against,
// and the few steps every flow starts with.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './webdriver.mjs';

export const CLI = process.env.STEPWISE_CLI || join(ROOT, 'target/debug/stepwise');

/** Runs `stepwise --workspace WS <command> SPEC.json --json` on a spec written to a temp file. */
export function cliJson(workspace, command, spec, extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'stepwise-spec-'));
  const file = join(dir, `${command}.json`);
  writeFileSync(file, JSON.stringify(spec, null, 2));
  const out = execFileSync(CLI, ['--workspace', workspace, command, file, '--json', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.toString());
}

export function cliDatasets(workspace) {
  const out = execFileSync(CLI, ['--workspace', workspace, 'datasets', '--json']).toString();
  return JSON.parse(out).datasets;
}

/** A count the way the app and the reports write it: 780,928. */
export const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** The names and row counts in the sidebar's dataset list. */
export async function sidebarDatasets(s) {
  return s.exec(
    'return Array.from(document.querySelectorAll(\'[data-testid="dataset-item"]\')).map((e) => [' +
      'e.querySelector(\'[data-testid="dataset-name"]\').textContent.trim(),' +
      'e.querySelector(\'[data-testid="dataset-rows"]\').textContent.trim()]);',
  );
}

/** The labels of the saved items the sidebar lists under a heading (Funnels, Personas, Reports). */
export async function sidebarItems(s, heading) {
  return s.exec(
    'const h = Array.from(document.querySelectorAll("nav h3")).find((e) => e.textContent.trim() === arguments[0]);' +
      'if (!h) return [];' +
      'return Array.from(h.closest("section").querySelectorAll("li.saved .label")).map((e) => e.textContent.trim());',
    [heading],
  );
}

/** Clicks the "Open sample store data" button of the empty state, then "Looks right" on the mapping screen. */
export async function openSample(s) {
  await s.click(await s.find('[data-testid="open-sample"]'));
  await s.find('[data-testid="mapping-screen"]', 90000);
  await s.click(await s.find('[data-testid="mapping-done"]'));
  await s.waitFor(
    async () => (await sidebarDatasets(s)).some(([n]) => n === 'Sample store'),
    'the sample in the dataset list',
  );
}

/** The role chosen for each column on the mapping screen, { column: role|'' }. */
export async function mappingRoles(s) {
  const pairs = await s.exec(
    'return Array.from(document.querySelectorAll(\'[data-testid="mapping-column"]\')).map((r) =>' +
      ' [r.dataset.column, r.querySelector(\'[data-testid="mapping-role"]\').value]);',
  );
  return Object.fromEntries(pairs);
}

/** Waits until fn() deep-equals `want` (JSON), then returns it; on time-out returns the last value so
 * the caller's assert shows the difference. */
export async function settle(s, fn, want, what, timeoutMs = 30000) {
  let last;
  try {
    await s.waitFor(
      async () => {
        last = await fn();
        return JSON.stringify(last) === JSON.stringify(want);
      },
      what,
      timeoutMs,
    );
  } catch {
    /* the caller's assert reports it */
  }
  return last;
}

/** The texts of an engine chart (by its data-testid) that stand outside the SVG's own box, as
 * [text, left, right, width] in SVG units, measured with the webview's font rendering (getBBox).
 * The engine wraps and ellipsizes with the font's metrics; the webview must agree. */
export async function chartTextOverflow(s, testid) {
  return s.exec(
    `const svg = document.querySelector('[data-testid="${testid}"] svg'); if (!svg) return null;` +
      'const w = svg.viewBox.baseVal.width;' +
      'return Array.from(svg.querySelectorAll("text")).map((t) => { const b = t.getBBox();' +
      ' return [t.textContent, Math.round(b.x), Math.round(b.x + b.width), Math.round(w)]; })' +
      '.filter(([, l, r, w]) => l < -1 || r > w + 1);',
  );
}

/** Every text on the Reports screen's preview pages (the engine's page SVGs), one per line. */
export async function reportPreviewText(s) {
  return s.exec('return Array.from(document.querySelectorAll(\'[data-testid="report-page"] svg text\')).map((t) => t.textContent).join("\\n");');
}

/** Those of `want` printed on the report preview's pages (all of them once the preview is built). */
export async function onReportPages(s, want) {
  const text = await reportPreviewText(s);
  return want.filter((w) => text.includes(w));
}

/** Adds `event` as a step in the funnel builder's step picker (types part of it, clicks it) and waits for it in the list. */
export async function pickStep(s, event) {
  const search = await s.find('[data-testid="step-picker"] input');
  await s.fill(search, event.slice(0, Math.max(4, event.length - 3)));
  await s.clickText('[data-testid="picker-option"] .value', event);
  await s.waitFor(
    async () => (await s.exec('return Array.from(document.querySelectorAll(\'[data-testid="funnel-step"] input.value\')).map((i) => i.value);')).includes(event),
    `step ${event} in the list`,
  );
}
