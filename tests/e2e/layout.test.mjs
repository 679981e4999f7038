// Every screen at 1280x800 and at 1024x700, screenshotted (tests/artifacts/layout-*.png) and
// checked for what a small window used to break: no column of the funnel or impact table
// outside the view, no chart title under the chart's Copy / Save buttons, no two texts of the
// impact chart printed over each other. On REES46 (goal purchase) the impact chart and table
// rank alike and "view" (one non-viewer) is "not enough data", as `stepwise impact` says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launch, quit, SHARED } from './webdriver.mjs';
import { cliJson, openSample, pickStep, settle, sidebarItems } from './lib.mjs';

const DATASET = 'Sample store';
const FUNNEL_NAME = 'Checkout funnel';
const EVENTS = ['view_item', 'add_to_cart', 'begin_checkout', 'purchase'];
const REES = join(SHARED, 'datasets', 'rees46_ecommerce_events_2019-10_head.csv');
const REES_NAME = 'rees46_ecommerce_events_2019-10_head';
const SIZES = [
  [1280, 800],
  [1024, 700],
];

let s;
before(async () => {
  s = await launch();
});
after(async () => {
  if (s) await quit(s);
});


/** Header cells of a table (by testid) whose right edge is past what its scrolling canvas (or the window) shows. */
const columnsOutside = (testid) =>
  s.exec(
    `const t = document.querySelector('[data-testid="${testid}"]'); if (!t) return null;` +
      'const c = t.closest(".canvas") ?? document.body; const edge = Math.min(c.getBoundingClientRect().right, window.innerWidth);' +
      'return Array.from(t.querySelectorAll("thead th")).filter((th) => th.getBoundingClientRect().right > edge + 1)' +
      '.map((th) => th.textContent.trim() + " @" + Math.round(th.getBoundingClientRect().right) + ">" + Math.round(edge));',
  );

/** Texts of an engine chart that the Copy / Save buttons cover. */
const textsUnderTools = (testid) =>
  s.exec(
    `const f = document.querySelector('[data-testid="${testid}"]'); if (!f) return null;` +
      'const tools = f.querySelector(".tools").getBoundingClientRect();' +
      'return Array.from(f.querySelectorAll("svg text")).filter((t) => { const r = t.getBoundingClientRect();' +
      ' return r.width > 0 && r.left < tools.right && r.right > tools.left && r.top < tools.bottom && r.bottom > tools.top; })' +
      '.map((t) => t.textContent);',
  );

/** Pairs of texts of an engine chart printed over each other. */
const overlappingTexts = (testid) =>
  s.exec(
    `const f = document.querySelector('[data-testid="${testid}"]'); if (!f) return null;` +
      'const ts = Array.from(f.querySelectorAll("svg text")).map((t) => [t.textContent, t.getBoundingClientRect()]).filter(([, r]) => r.width > 0);' +
      'const out = []; for (let i = 0; i < ts.length; i++) for (let j = i + 1; j < ts.length; j++) {' +
      ' const [a, p] = ts[i]; const [b, q] = ts[j];' +
      ' if (p.left < q.right - 1 && q.left < p.right - 1 && p.top < q.bottom - 1 && q.top < p.bottom - 1) out.push(a + " / " + b); }' +
      'return out;',
  );

/** Waits for the engine chart (by testid) and for the screen to settle, then screenshots. */
async function shot(name, chart) {
  if (chart) await s.find(`[data-testid="${chart}"] svg`, 30000);
  await s.execAsync('const done = arguments[arguments.length - 1]; setTimeout(() => requestAnimationFrame(() => done(null)), 400);');
  return s.screenshot(name);
}

test('setup: the sample store, a saved funnel, a persona, REES46', async () => {
  await s.setWindowSize(1280, 800);
  await openSample(s);
  await s.click(await s.find('button[aria-label="New funnel"]'));
  await s.choose(await s.find('[data-testid="funnel-dataset"]'), DATASET);
  await s.find('[data-testid="step-picker"]');
  await s.waitFor(async () => (await s.findAll('[data-testid="picker-option"]')).length > 3, 'the picker lists the events');
  for (const [i, ev] of EVENTS.entries()) {
    if (i > 0) await s.click(await s.find('[data-testid="add-step"]'));
    await pickStep(s, ev);
  }
  await s.fill(await s.find('input[aria-label="Funnel name"]'), FUNNEL_NAME);
  await s.click(await s.find('[data-testid="save-funnel"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Funnels')).includes(FUNNEL_NAME), 'the saved funnel');

  await s.click(await s.find('button[aria-label="New persona"]'));
  await s.fill(await s.find('input[aria-label="Persona name"]'), 'Filter users');
  await s.clickText('[data-testid="condition-group"] button', '+ Behaviour');
  await s.fill(await s.find('[data-testid="condition"] input[aria-label="Target"]'), 'use_filter');
  await s.click(await s.find('[data-testid="save-persona"]'));
  await s.waitFor(async () => (await sidebarItems(s, 'Personas')).includes('Filter users'), 'the saved persona');
});

for (const [w, h] of SIZES) {
  const at = `${w}x${h}`;
  test(`every screen at ${at}`, async () => {
    await s.setWindowSize(w, h);

    if (w === 1024 && existsSync(REES)) {
      // the mapping screen, on a real export
      const err = await s.execAsync(
        'const done = arguments[arguments.length - 1];' +
          'window.stepwise.importPaths(arguments[0]).then(() => done(null), (e) => done(String(e && e.message || e)));',
        [[REES]],
      );
      assert.equal(err, null);
      await s.find('[data-testid="mapping-screen"]', 60000);
      await shot(`layout-mapping-${at}`);
      await s.click(await s.find('[data-testid="mapping-done"]'));
    }

    await s.click(await s.find('.ws-name'));
    await shot(`layout-home-${at}`);

    await s.clickText('[data-testid="dataset-item"] [data-testid="dataset-name"]', DATASET);
    await s.find('[data-testid="dataset-users"]');
    await shot(`layout-dataset-${at}`);

    await s.clickText('nav li.saved .label', FUNNEL_NAME);
    await s.find('[data-testid="funnel-table"]', 30000);
    await shot(`layout-funnel-${at}`, 'funnel-chart');
    assert.deepEqual(await columnsOutside('funnel-table'), [], `${at}: every column of the funnel table in view`);
    assert.deepEqual(await textsUnderTools('funnel-chart'), [], `${at}: no chart text under Copy / Save`);

    await s.clickText('nav li.saved .label', 'Filter users');
    await s.find('[data-testid="segment-count"] .big', 30000);
    await shot(`layout-persona-${at}`);

    await s.click(await s.find('[data-testid="open-compare"]'));
    await s.choose(await s.find('[data-testid="compare-funnel"]'), FUNNEL_NAME);
    const box = await s.exec(
      'return Array.from(document.querySelectorAll("aside label.inline")).find((l) => l.textContent.trim() === "Filter users")?.querySelector("input") ?? null;',
    );
    if (box && !(await s.exec('return arguments[0].checked;', [box]))) await s.click(Object.values(box)[0]);
    await s.find('[data-testid="compare-table"]', 30000);
    await shot(`layout-compare-${at}`, 'compare-chart');
    assert.deepEqual(await columnsOutside('compare-table'), [], `${at}: every column of the comparison table in view`);

    await s.click(await s.find('button[aria-label="New impact analysis"]'));
    const rees = w === 1024 && existsSync(REES);
    await s.choose(await s.fieldByHeading('Dataset'), rees ? REES_NAME : DATASET);
    await s.fill(await s.find('[data-testid="impact-goal"]'), 'purchase');
    await s.find('[data-testid="impact-table"]', 60000);
    await shot(`layout-impact-${at}`, 'impact-chart');
    assert.deepEqual(await columnsOutside('impact-table'), [], `${at}: every column of the impact table in view`);
    assert.deepEqual(await textsUnderTools('impact-chart'), [], `${at}: no impact chart text under Copy / Save`);
    assert.deepEqual(await overlappingTexts('impact-chart'), [], `${at}: no two texts of the impact chart over each other`);
    if (rees) {
      const cli = cliJson(s.workspace, 'impact', { dataset: REES_NAME, goal: { event: 'purchase' }, candidates: 'auto', window: '30d' });
      const names = cli.candidates.filter((c) => c.lift !== null && !c.required).map((c) => c.label);
      const rows = () =>
        s.exec(
          'return Array.from(document.querySelectorAll(\'[data-testid="impact-row"]\')).map((r) => { const n = r.cells[0].cloneNode(true);' +
            ' n.querySelectorAll("span").forEach((x) => x.remove()); return [n.textContent.trim(), r.dataset.verdict]; });',
        );
      const shown = await settle(s, async () => (await rows()).map(([n]) => n), cli.candidates.map((c) => c.label), 'the REES46 impact rows');
      assert.deepEqual(shown, cli.candidates.map((c) => c.label), 'the table ranks as `stepwise impact`');
      for (const [name, verdict] of await rows()) {
        const c = cli.candidates.find((x) => x.label === name);
        if (c.small_sample) assert.equal(verdict, 'not_enough_data', `${name}: the engine says not enough data`);
      }
      // the chart lists the same actions in the same order, top to bottom
      const chartOrder = await s.exec(
        'const want = arguments[0]; const f = document.querySelector(\'[data-testid="impact-chart"] svg\');' +
          'return Array.from(f.querySelectorAll("text")).filter((t) => want.includes(t.textContent.trim()))' +
          '.map((t) => [t.textContent.trim(), t.getBoundingClientRect().top]).sort((a, b) => a[1] - b[1]).map(([n]) => n);',
        [names],
      );
      assert.deepEqual(chartOrder, names, 'the chart ranks as the table');
    }

    await s.click(await s.find('button[aria-label="New report"]'));
    await s.fill(await s.find('input[aria-label="Report title"]'), 'Layout review');
    await s.choose(await s.find('[data-testid="report-add-funnel"]'), FUNNEL_NAME, { verify: false });
    await s.find('[data-testid="report-preview"] [data-testid="report-page"] svg', 60000);
    await shot(`layout-report-${at}`);
    assert.deepEqual(
      await s.exec('const a = document.querySelector(".inspector"); return a.scrollWidth > a.clientWidth + 1 ? [a.scrollWidth, a.clientWidth] : [];'),
      [],
      `${at}: the report definition panel does not scroll sideways`,
    );
    // the report is not saved: leaving it asks first (Save / Discard / Cancel); discard it
    await s.click(await s.find('.ws-name'));
    await s.click(await s.find('[data-testid="leave-discard"]'));
    await s.find('[data-testid="home-dataset-table"]');
  });
}
