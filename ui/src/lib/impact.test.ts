import { describe, expect, it } from 'vitest';
import { buildImpact, emptyImpact } from './impact';

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
  it('sends a confidence level other than the default 95%', () => {
    const d = { ...emptyImpact('shop'), goal: 'purchase', confidence: 0.99 };
    const r = buildImpact(d);
    expect('spec' in r && r.spec.confidence).toBe(0.99);
    const dflt = buildImpact({ ...d, confidence: 0.95 });
    expect('spec' in dflt && 'confidence' in dflt.spec).toBe(false);
  });
  it('rejects a bad order value in words', () => {
    const d = { ...emptyImpact('shop'), goal: 'purchase', orderValue: 'lots' };
    expect(buildImpact(d)).toEqual({ missing: 'The average order value must be a number, e.g. 85.' });
  });
});
