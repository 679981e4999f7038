import { describe, expect, it } from 'vitest';
// The engine's texts (crates/engine/src/chart/format.rs); format.integration.test.ts
// checks every kind against the engine itself.
import { formatBytes, formatCell, formatConfidence, formatTypedCell, formatCompact, formatCount, formatDuration, formatRate, formatValue } from './format';

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(780928)).toBe('780,928');
    expect(formatCount(12330)).toBe('12,330');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1000)).toBe('1,000');
    expect(formatCount(1234567890)).toBe('1,234,567,890');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(-4500)).toBe('\u22124,500');
  });
  it('never prints a float', () => {
    expect(formatCount(800000.0)).toBe('800,000');
    expect(formatCount(2.6)).toBe('3');
    // halves round to even, as the engine's Rust formatting does
    expect(formatCount(2.5)).toBe('2');
    expect(formatCount(3.5)).toBe('4');
    expect(formatCount(1e22)).toBe('10,000,000,000,000,000,000,000');
  });
  it('shows an en dash for missing values, as the engine does', () => {
    expect(formatCount(null)).toBe('\u2013');
    expect(formatCount(NaN)).toBe('\u2013');
    expect(formatCount(Infinity)).toBe('\u2013');
  });
});

describe('formatCompact', () => {
  it('abbreviates millions and billions only', () => {
    expect(formatCompact(1_200_000)).toBe('1.2M');
    expect(formatCompact(1_000_000)).toBe('1M');
    expect(formatCompact(12_330)).toBe('12,330');
    expect(formatCompact(12_330.5)).toBe('12,330.5');
    expect(formatCompact(-1_500_000)).toBe('\u22121.5M');
    expect(formatCompact(Infinity)).toBe('\u2013');
    expect(formatCompact(9_999)).toBe('9,999');
    expect(formatCompact(3_400_000_000)).toBe('3.4B');
  });
});

describe('formatRate', () => {
  it('uses one decimal', () => {
    expect(formatRate(0.248)).toBe('24.8%');
    expect(formatRate(0.2484)).toBe('24.8%');
    expect(formatRate(0.5)).toBe('50.0%');
  });
  it('uses two decimals below 1%', () => {
    expect(formatRate(0.0045)).toBe('0.45%');
    expect(formatRate(0.00999)).toBe('1.0%');
    expect(formatRate(0.00001)).toBe('0.00%');
    expect(formatRate(-0.00001)).toBe('0.00%');
    expect(formatRate(-0.5)).toBe('\u221250.0%');
  });
  it('prints exactly 0 and 1 plainly; 0.99999 rounds to 100.0%', () => {
    expect(formatRate(0)).toBe('0%');
    expect(formatRate(1)).toBe('100%');
    expect(formatRate(0.99999)).toBe('100.0%');
    expect(formatRate(null)).toBe('\u2013');
  });
});

describe('formatDuration', () => {
  it('matches UI.md', () => {
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(2.4 * 86400)).toBe('2.4 days');
  });
  it('covers each range', () => {
    expect(formatDuration(0.4)).toBe('0.4 s');
    expect(formatDuration(5)).toBe('5 s');
    expect(formatDuration(45.4)).toBe('45 s');
    expect(formatDuration(59.7)).toBe('1 min');
    expect(formatDuration(180)).toBe('3 min');
    expect(formatDuration(3599.8)).toBe('1 h');
    expect(formatDuration(7500)).toBe('2 h 5 min');
    expect(formatDuration(86400)).toBe('1 day');
    expect(formatDuration(86400 * 14)).toBe('14 days');
    expect(formatDuration(-5)).toBe('\u22125 s');
    expect(formatDuration(-0.01)).toBe('0 s');
    expect(formatDuration(null)).toBe('\u2013');
  });
});

describe('the other kinds', () => {
  it('prints lifts, numbers, money, p-values and confidence levels as the engine does', () => {
    expect(formatValue('lift', 0.124)).toBe('+12.4%');
    expect(formatValue('lift', -0.03)).toBe('\u22123.0%');
    expect(formatValue('lift', 0.00001)).toBe('0%');
    expect(formatValue('number', 1234.567)).toBe('1,234.6');
    expect(formatValue('number', 12.345)).toBe('12.35');
    expect(formatValue('money', 1234.5)).toBe('1,234.50');
    expect(formatValue('money', 0.125)).toBe('0.12');
    expect(formatValue('p_value', 0.0004)).toBe('< 0.001');
    expect(formatValue('p_value', 0.0032)).toBe('0.003');
    expect(formatValue('p_value', 0.24)).toBe('0.24');
    expect(formatConfidence(0.95)).toBe('95%');
    expect(formatConfidence(0.975)).toBe('97.5%');
  });
});

describe('formatBytes and cells', () => {
  it('formats sizes', () => {
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(4300)).toBe('4.2 KB');
    expect(formatBytes(13 * 1024 * 1024)).toBe('13.0 MB');
  });
  it('formats cells without float noise', () => {
    expect(formatCell(0.1 + 0.2)).toBe('0.3');
    expect(formatCell(800000)).toBe('800000');
    expect(formatCell(null)).toBe('');
    expect(formatCell(true)).toBe('true');
  });
});

describe('formatTypedCell', () => {
  it('shows stored instants, dates and durations as what they mean', () => {
    expect(formatTypedCell(1725184800000000, 'timestamp')).toBe('2024-09-01 10:00:00');
    expect(formatTypedCell(1725184800123000, 'timestamp')).toBe('2024-09-01 10:00:00.123');
    expect(formatTypedCell(19967, 'date')).toBe('2024-09-01');
    expect(formatTypedCell(200000, 'duration')).toBe('3 min 20 s');
    expect(formatTypedCell('2024-09-01T10:00:00Z', 'timestamp')).toBe('2024-09-01T10:00:00Z');
    expect(formatTypedCell(12.5, 'decimal')).toBe('12.5');
  });
});

