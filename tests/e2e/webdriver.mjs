// A minimal W3C WebDriver client (Node 20's fetch, no dependencies) and the
// plumbing to start the real Stepwise app through tauri-driver.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = join(ROOT, 'tests', 'artifacts');
export const SHARED = process.env.STEPWISE_SHARED_DATA || resolve(ROOT, '../shared/data/real');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }
  async cmd(method, path, body) {
    const res = await fetch(`${this.base}/session/${this.id}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} ${path}: ${JSON.stringify(json.value)}`);
    return json.value;
  }
  async find(css, timeoutMs = 15000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
        return Object.values(v)[0];
      } catch (e) {
        if (Date.now() > until) throw new Error(`no element ${css} after ${timeoutMs} ms`);
        await sleep(200);
      }
    }
  }
  async findAll(css) {
    const v = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
    return v.map((e) => Object.values(e)[0]);
  }
  async text(el) {
    return this.cmd('GET', `/element/${el}/text`);
  }
  async click(el) {
    return this.cmd('POST', `/element/${el}/click`, {});
  }
  /** Types text into an input the way a keyboard does (WebDriver "send keys"). */
  async type(el, text) {
    return this.cmd('POST', `/element/${el}/value`, { text });
  }
  async clear(el) {
    return this.cmd('POST', `/element/${el}/clear`, {});
  }
  /** Clears an input, then types into it. */
  async fill(el, text) {
    await this.clear(el);
    await this.type(el, String(text));
  }
  /** The trimmed textContent of every element matching css (element /text is unreliable in WebKitWebDriver). */
  async texts(css) {
    return this.exec('return Array.from(document.querySelectorAll(arguments[0])).map((e) => e.textContent.trim());', [css]);
  }
  /** An element matching css whose trimmed text equals (string) or matches (RegExp) `text`, waited for. */
  async findByText(css, text, timeoutMs = 15000) {
    const re = text instanceof RegExp ? text.source : null;
    const flags = text instanceof RegExp ? text.flags : '';
    const el = await this.waitFor(
      () =>
        this.exec(
          'const [css, want, re, flags] = arguments;' +
            'return Array.from(document.querySelectorAll(css)).find((e) => { const t = e.textContent.trim();' +
            ' return re !== null ? new RegExp(re, flags).test(t) : t === want; }) || null;',
          [css, re === null ? text : null, re, flags],
        ),
      `${css} with text ${text}`,
      timeoutMs,
    );
    return elementId(el);
  }
  async clickText(css, text, timeoutMs) {
    await this.click(await this.findByText(css, text, timeoutMs));
  }
  /** The form control in the same <label>/field as a heading (h3) with this text. */
  async fieldByHeading(heading, control = 'select, input, textarea') {
    const el = await this.waitFor(
      () =>
        this.exec(
          'const [h, c] = arguments; const hs = Array.from(document.querySelectorAll("h3")).filter((e) => e.textContent.trim() === h);' +
            'for (const e of hs) { const f = e.closest(".field, label, .group"); const x = f && f.querySelector(c); if (x) return x; } return null;',
          [heading, control],
        ),
      `the field under "${heading}"`,
    );
    return elementId(el);
  }
  /** Chooses an option of a <select> by clicking it, matched by its label (or value). */
  async choose(select, label, { verify = true } = {}) {
    const opt = await this.waitFor(
      () =>
        this.exec(
          'const [s, l] = arguments; return Array.from(s.options).find((o) => o.textContent.trim() === l || o.value === l) || null;',
          [{ [ELEMENT]: select }, label],
        ),
      `option ${label}`,
    );
    await this.click(elementId(opt));
    if (!verify) return; // e.g. an "Add…" select that resets itself once it has acted
    const now = await this.exec('const s = arguments[0]; return s.options[s.selectedIndex]?.textContent.trim();', [
      { [ELEMENT]: select },
    ]);
    if (now !== label && (await this.exec('return arguments[0].value;', [{ [ELEMENT]: select }])) !== label) {
      throw new Error(`choosing "${label}" left the select at "${now}"`);
    }
  }
  /** Text of the whole page (for "never a blank screen"). */
  async bodyText() {
    return this.exec('return document.body.innerText;');
  }
  async exec(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }
  async execAsync(script, args = []) {
    return this.cmd('POST', '/execute/async', { script, args });
  }
  async waitFor(fn, what, timeoutMs = 20000) {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > until) {
        const shot = await this.screenshot(`timeout-${what.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => '');
        throw new Error(`timed out waiting for ${what} (screenshot: ${shot})`);
      }
      await sleep(250);
    }
  }
  /** Sets the window's outer size (WebDriver Set Window Rect) and waits for the page to follow. */
  async setWindowSize(width, height) {
    await this.cmd('POST', '/window/rect', { width, height });
    await this.waitFor(
      async () => Math.abs((await this.exec('return window.innerWidth;')) - width) <= 40,
      `a ${width} px wide window`,
    );
  }
  async screenshot(name) {
    const b64 = await this.cmd('GET', '/screenshot');
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, `${name}.png`);
    writeFileSync(file, Buffer.from(b64, 'base64'));
    return file;
  }
  async close() {
    try {
      await fetch(`${this.base}/session/${this.id}`, { method: 'DELETE' });
    } catch {}
  }
}

export const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';
const elementId = (ref) => ref[ELEMENT] ?? Object.values(ref)[0];

let nextPort = 4444 + Math.floor(Math.random() * 500) * 2;

/** Starts tauri-driver and the app on a fresh (or given) workspace. A driver
 * that does not answer within 15 s (a port taken by something else, a slow
 * start) is stopped and another is started on the next ports, three times. */
export async function launch({ workspace } = {}) {
  const app = process.env.STEPWISE_APP || join(ROOT, 'target/debug/stepwise-desktop');
  const ws = workspace || join(mkdtempSync(join(tmpdir(), 'stepwise-e2e-')), 'workspace.stepwise');
  const errors = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = nextPort;
    nextPort += 2;
    const driver = spawn(
      process.env.TAURI_DRIVER || 'tauri-driver',
      ['--port', String(port), '--native-port', String(port + 1)],
      {
        // the recent-workspaces list goes beside the workspace, not into the user's own config
        env: { ...process.env, STEPWISE_WORKSPACE: ws, STEPWISE_CONFIG_DIR: join(dirname(ws), 'config') },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const base = `http://127.0.0.1:${port}`;
    let lastErr = 'no answer';
    for (let i = 0; i < 75 && driver.exitCode === null; i++) {
      try {
        const res = await fetch(`${base}/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            capabilities: { alwaysMatch: { 'tauri:options': { application: app } } },
          }),
        });
        const json = await res.json();
        if (res.ok) {
          const session = new Session(base, json.value.sessionId);
          session.workspace = ws;
          session.driver = driver;
          return session;
        }
        lastErr = JSON.stringify(json.value);
      } catch (e) {
        lastErr = String(e);
      }
      await sleep(200);
    }
    if (driver.exitCode !== null) lastErr += ` (tauri-driver exited with ${driver.exitCode})`;
    errors.push(`port ${port}: ${lastErr}`);
    // whatever the driver started (WebKitWebDriver, a half-opened app) goes with it
    for (const pid of descendants(driver.pid)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {}
    }
    driver.kill();
  }
  throw new Error(`could not start a WebDriver session: ${errors.join('; ')}`);
}

function children(pid) {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)])
      .toString()
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

/** Every process below pid (WebKitWebDriver, the app and its WebKit helpers), by id. */
function descendants(pid) {
  let table;
  try {
    table = execFileSync('ps', ['-eo', 'pid=,ppid='])
      .toString()
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number));
  } catch {
    return [];
  }
  const out = [];
  const walk = (p) => {
    for (const [c, pp] of table) if (pp === p) (out.push(c), walk(c));
  };
  walk(pid);
  return out;
}
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Ends the session (WebKitWebDriver closes the app), waits for the app to exit, then stops
 * tauri-driver. Processes the session started and that are still running after that are ended
 * by id, so no app outlives its test (an orphan would keep the test runner waiting). */
export async function quit(session) {
  // The driver's own children (WebKitWebDriver) live until the driver stops; wait for what they started.
  const servers = new Set(children(session.driver.pid));
  const started = descendants(session.driver.pid).filter((p) => !servers.has(p));
  await session.close();
  const until = Date.now() + 10000;
  while (started.some(alive) && Date.now() < until) await sleep(100);
  const left = started.filter(alive);
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
  }
  if (session.driver.exitCode === null && session.driver.signalCode === null) {
    const exited = new Promise((r) => session.driver.once('exit', r).once('error', r));
    session.driver.kill();
    await exited;
  }
  if (left.length) console.error(`# ${left.length} process(es) still running 10 s after the session ended were stopped`);
}
