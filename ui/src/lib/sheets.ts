// The sheet picker: a workbook with several sheets, or a text file with
// several tables, asks which one to import before the import starts.

import type { FileChoice, FileTables } from './api';
import type { TableInfo } from './bindings/TableInfo';
import { formatCount, plural } from './format';

/** True when the file offers more than one sheet or table to choose from. */
export function needsPick(ft: FileTables | null | undefined): ft is FileTables {
  return !!ft && ft.tables.length > 1;
}

/** The one preselected: the largest (most rows), the first of equals, as the engine's default. */
export function defaultIndex(ft: FileTables): number {
  let best = 0;
  ft.tables.forEach((t, i) => {
    if (t.rows > ft.tables[best].rows) best = i;
  });
  return best;
}

/** What the import is told: the sheet by its name, or the table by its index. */
export function choiceFor(ft: FileTables, i: number): FileChoice {
  const t = ft.tables[i];
  if (!t) return {};
  if (ft.kind === 'sheets') return { sheet: t.title ?? undefined };
  return { table: t.index };
}

/** "Sheet1" / "Table 2 (line 14)" */
export function tableTitle(ft: FileTables, t: TableInfo): string {
  if (t.title) return t.title;
  return ft.kind === 'sheets' ? `Sheet ${t.index + 1}` : `Table ${t.index + 1} (line ${formatCount(t.line)})`;
}

/** "1,234 rows · 6 columns: date, page, users…" */
export function tableSummary(t: TableInfo): string {
  const cols = t.columns.slice(0, 4).join(', ') + (t.columns.length > 4 ? '…' : '');
  const parts = [plural(t.rows, 'row'), plural(t.columns.length, 'column')];
  return `${parts.join(' · ')}${cols ? `: ${cols}` : ''}`;
}

/** True when no choice was made (the engine's default applies). */
export function isDefaultChoice(c: FileChoice): boolean {
  return c.sheet === undefined && c.table === undefined;
}
