// One source for what a number says (issue 13 item 3): every formatter of
// the app that has an engine kind prints exactly what the engine prints
// (crates/engine/src/chart/format.rs), checked against the real engine
// through `stepwise format KIND VALUES... --json` on edge values (0, -0,
// tiny, 0.99999, 1, negatives, huge, exact halves, the rules' thresholds,
// NaN and infinity) and a few hundred seeded random values across
// magnitudes per kind. A failure lists each value with both texts.
//
// Needs STEPWISE_CLI (the built `stepwise` binary; `make test` sets it).
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { formatCompact, formatConfidence, formatCount, formatDuration, formatRate, formatValue } from './format';

const cli = process.env.STEPWISE_CLI ?? '';
const ready = cli !== '' && existsSync(cli);
if (!ready) console.log('format test: set STEPWISE_CLI to the built stepwise binary to compare the app formats with the engine');

/** A value as the CLI reads it: the shortest text that parses back to the same double. */
function arg(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (Object.is(x, -0)) return '-0';
  return String(x);
}

/** The engine's texts for the values, in order. */
function engine(kind: string, values: number[]): string[] {
  const out = execFileSync(cli, ['format', kind, '--json', '--', ...values.map(arg)], { encoding: 'utf8', maxBuffer: 16 << 20 });
  return JSON.parse(out) as string[];
}

/** mulberry32: a small seeded generator, so a failure is reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EDGES = [
  0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 0.625, 0.875, 1e-300, 5e-324, 1e-7, 0.00001, -0.00001, 0.0000499, 0.00005,
  0.0001, 0.000999, 0.001, 0.00125, 0.0045, 0.00995, 0.009949, 0.00999, 0.01, 0.0105, 0.248, 0.2484, 0.9999, 0.99999, 0.999999,
  1.0000001, 1.5, 2, -0.5, -0.1234, -0.99999, 9.94, 9.95, 9.96, 9.999, 10, 45.4, 59.4, 59.5, 59.7, 60, 99.994, 99.995, 99.999,
  100, 100.25, 180, 200, 3599.4, 3599.5, 3599.8, 3600, 5400, 7500, 86339, 86370, 86399, 86399.5, 86400, 90000, 207360, 1209600,
  999, 1000, 9999, 12330, 12330.5, 780928, 999999.99, 999999.995, 999999.999, 1e6, 1234567, 1.25e6, 12_400_000, 999_999_999,
  999_950_000, 1e9, 3.4e9, 1e12, 2 ** 53, 2 ** 53 + 2, 1.8e19, 1e21, 1e22, 1.7976931348623157e308, -12_400, -1_500_000, -5, -3,
  -1e22, NaN, Infinity, -Infinity,
];

/** Values across magnitudes (1e-9 .. 1e23), both signs, whole, with few decimals, exact halves and raw. */
function randomValues(seed: number, n: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const sign = r() < 0.2 ? -1 : 1;
    const x = sign * 10 ** (r() * 32 - 9) * (1 + r() * 9);
    switch (i % 6) {
      case 0:
        out.push(Math.round(x));
        break;
      case 1:
        out.push(Math.round(x * 1000) / 1000);
        break;
      case 2:
        out.push(Math.round(x * 8) / 8); // exact halves, quarters and eighths: rounding ties
        break;
      case 3:
        out.push(r()); // a rate
        break;
      case 4:
        out.push(sign * r() * 10 ** Math.floor(r() * 8)); // a duration or an amount
        break;
      default:
        out.push(x);
    }
  }
  return out;
}

/** Every value whose app text differs from the engine's, in words. */
function drift(kind: string, values: number[], app: (x: number) => string): string[] {
  const want = engine(kind, values);
  expect(want).toHaveLength(values.length);
  return values.flatMap((x, i) => {
    const got = app(x);
    return got === want[i] ? [] : [`${kind} ${arg(x)}: app "${got}", engine "${want[i]}"`];
  });
}

const CASES: [kind: string, seed: number, app: (x: number) => string][] = [
  ['count', 1, formatCount],
  ['rate', 2, formatRate],
  ['seconds', 3, formatDuration],
  ['compact', 4, formatCompact],
  ['lift', 5, (x) => formatValue('lift', x)],
  ['number', 6, (x) => formatValue('number', x)],
  ['money', 7, (x) => formatValue('money', x)],
  ['p-value', 8, (x) => formatValue('p_value', x)],
  ['confidence', 9, formatConfidence],
];

describe.skipIf(!ready)("the app's numbers are the engine's", () => {
  for (const [kind, seed, app] of CASES) {
    it(`${kind}: edge values and 400 seeded random values`, () => {
      const values = [...EDGES, ...randomValues(seed, 400)];
      const wrong = drift(kind, values, app);
      expect(wrong.slice(0, 25), `${wrong.length} of ${values.length} differ`).toEqual([]);
    });
  }

});
