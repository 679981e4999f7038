import { describe, expect, it } from 'vitest';
import { buildImpact, emptyImpact, formatMoney, holmAdjusted, isSmallSample } from './impact';

describe('buildImpact', () => {
  it("writes issue 5's request", () => {
    const d = emptyImpact('shop');
    expect(buildImpact(d)).toEqual({ missing: 'Choose the goal: the macro conversion, e.g. purchase.' });
    d.goal = 'purchase';
    d.orderValue = '85';
    expect(buildImpact(d)).toEqual({
      spec: { dataset: 'shop', goal: { event: 'purchase' }, candidates: 'auto', window: '30d', order_value: 85 },
    });
    d.candidates = ['use_filter', '/size-guide'];
    d.valueMode = 'column';
    d.valueColumn = 'value';
    const r = buildImpact(d);
    expect('spec' in r && r.spec).toEqual({
      dataset: 'shop',
      goal: { event: 'purchase' },
      candidates: [{ event: 'use_filter' }, { page: '/size-guide' }],
      window: '30d',
      value_column: 'value',
    });
  });
  it('rejects a bad order value in words', () => {
    const d = { ...emptyImpact('shop'), goal: 'purchase', orderValue: 'lots' };
    expect(buildImpact(d)).toEqual({ missing: 'The average order value must be a number, e.g. 85.' });
  });
});

describe('helpers', () => {
  it('flags small samples and formats money', () => {
    const c = { users_did: 12, users_not: 5000 } as never;
    expect(isSmallSample(c)).toBe(true);
    expect(isSmallSample({ users_did: 400, users_not: 5000, small_sample: false } as never)).toBe(false);
    expect(formatMoney(1234.5)).toBe('1,234.50');
    expect(formatMoney(-0.4)).toBe('-0.40');
    expect(formatMoney(null)).toBe('—');
  });
});

describe('holmAdjusted (as the engine: stats::holm over the candidates with a p-value)', () => {
  it('matches R p.adjust(method = "holm") and skips required steps', () => {
    const c = (p: number | null) => ({ p_value: p }) as unknown as Parameters<typeof holmAdjusted>[0][number];
    const adj = holmAdjusted([c(0.01), c(null), c(0.04), c(0.03)]);
    expect(adj[1]).toBeNull();
    expect([adj[0], adj[2], adj[3]].map((x) => Number(x!.toFixed(6)))).toEqual([0.03, 0.06, 0.06]);
  });
});
