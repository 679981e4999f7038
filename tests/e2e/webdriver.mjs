// A minimal W3C WebDriver client (Node 20's fetch, no dependencies) and the
// plumbing to start the real Stepwise app through tauri-driver.
import { spawn } from 'node:child_process';
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

let nextPort = 4444 + Math.floor(Math.random() * 500) * 2;

/** Starts tauri-driver and the app on a fresh (or given) workspace. */
export async function launch({ workspace } = {}) {
  const app = process.env.STEPWISE_APP || join(ROOT, 'target/debug/stepwise-desktop');
  const ws = workspace || join(mkdtempSync(join(tmpdir(), 'stepwise-e2e-')), 'workspace.stepwise');
  const port = nextPort;
  nextPort += 2;
  const driver = spawn(
    process.env.TAURI_DRIVER || 'tauri-driver',
    ['--port', String(port), '--native-port', String(port + 1)],
    { env: { ...process.env, STEPWISE_WORKSPACE: ws }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const base = `http://127.0.0.1:${port}`;
  let lastErr;
  for (let i = 0; i < 100; i++) {
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
  driver.kill();
  throw new Error(`could not start a WebDriver session: ${lastErr}`);
}

export async function quit(session) {
  await session.close();
  session.driver.kill();
  await new Promise((r) => session.driver.once('exit', r).once('error', r));
}
