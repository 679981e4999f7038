import { describe, expect, it } from 'vitest';
import { parseSplit } from './split';

describe('parseSplit', () => {
  it('reads the ways analysts write a split', () => {
    expect(parseSplit('')).toBeNull();
    expect(parseSplit('  ')).toBeNull();
    expect(parseSplit('50/50')).toEqual([50, 50]);
    expect(parseSplit('1, 2, 1')).toEqual([1, 2, 1]);
    expect(parseSplit('1:1')).toEqual([1, 1]);
    expect(parseSplit('90% / 10%')).toEqual([90, 10]);
    expect(parseSplit('0.5 0.5')).toEqual([0.5, 0.5]);
  });
  it('refuses what is not a list of numbers', () => {
    expect(parseSplit('half/half')).toBe('invalid');
    expect(parseSplit('50/x')).toBe('invalid');
  });
});
