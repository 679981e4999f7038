import { describe, expect, it } from 'vitest';
import type { FileTables } from './api';
import { choiceFor, defaultIndex, isDefaultChoice, needsPick, tableSummary, tableTitle } from './sheets';

const t = (index: number, title: string | null, rows: number, columns: string[] = ['a', 'b']) => ({
  index,
  title,
  rows,
  columns,
  line: index * 10 + 1,
});

describe('the sheet picker', () => {
  const book: FileTables = { kind: 'sheets', tables: [t(0, 'Notes', 3), t(1, 'Data', 5000), t(2, 'Pivot', 5000)] };
  const csv: FileTables = { kind: 'tables', tables: [t(0, null, 12), t(1, 'Sessions by day', 400)] };

  it('asks only when there is more than one sheet or table', () => {
    expect(needsPick(book)).toBe(true);
    expect(needsPick(csv)).toBe(true);
    expect(needsPick({ kind: 'sheets', tables: [t(0, 'Only', 10)] })).toBe(false);
    expect(needsPick({ kind: 'tables', tables: [] })).toBe(false);
    expect(needsPick(null)).toBe(false);
  });

  it('preselects the largest, the first of equals', () => {
    expect(defaultIndex(book)).toBe(1);
    expect(defaultIndex(csv)).toBe(1);
    expect(defaultIndex({ kind: 'sheets', tables: [t(0, 'A', 0), t(1, 'B', 0)] })).toBe(0);
  });

  it('tells the import the sheet by name, the table by index', () => {
    expect(choiceFor(book, 2)).toEqual({ sheet: 'Pivot' });
    expect(choiceFor(csv, 0)).toEqual({ table: 0 });
    expect(choiceFor(csv, 9)).toEqual({});
    expect(isDefaultChoice({})).toBe(true);
    expect(isDefaultChoice({ table: 0 })).toBe(false);
  });

  it('names and describes each option', () => {
    expect(tableTitle(csv, csv.tables[0])).toBe('Table 1 (line 1)');
    expect(tableTitle(csv, csv.tables[1])).toBe('Sessions by day');
    expect(tableSummary(t(0, 'x', 1234, ['date', 'page', 'users', 'views', 'bounce']))).toBe(
      '1,234 rows · 5 columns: date, page, users, views…',
    );
    expect(tableSummary(t(0, 'x', 1, ['date']))).toBe('1 row · 1 column: date');
  });
});
