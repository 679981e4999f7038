// Report assembly: sections from saved funnels and comparisons plus free text.

import { moveItem } from './funnel';
import type { ExportFormat, FunnelSpec, ReportSection, ReportSpec, SavedItem } from './types';

export function emptyReport(): ReportSpec {
  return { title: '', sections: [] };
}

export function funnelSection(f: SavedItem<FunnelSpec>): ReportSection {
  return { type: 'funnel', title: f.name, spec: f.spec, findings: '' };
}

export function textSection(): ReportSection {
  return { type: 'text', title: 'Findings', text: '' };
}

export function moveSection(r: ReportSpec, from: number, to: number): ReportSpec {
  return { ...r, sections: moveItem(r.sections, from, to) };
}

/** What stops the report from being saved or exported. */
export function reportIssues(r: ReportSpec): string[] {
  const out: string[] = [];
  if (!r.title.trim()) out.push('Give the report a title.');
  if (r.sections.length === 0) out.push('Add a section: a saved funnel, or text.');
  r.sections.forEach((s, i) => {
    if (s.type === 'text' && !s.text.trim()) out.push(`Section ${i + 1} has no text yet.`);
  });
  return out;
}

/**
 * The notice after an export: it names the files the engine wrote (a PNG or CSV export writes
 * one per page or table, `name-01.png` ...), not the name typed in the save dialog.
 */
export function exportNotice(written: string[] | null | undefined, asked: string): string {
  const files = (written ?? []).filter(Boolean);
  if (files.length === 0) return `Exported ${asked}.`;
  if (files.length === 1) return `Exported ${files[0]}.`;
  const cut = (p: string) => Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  const dir = files[0].slice(0, cut(files[0]) + 1);
  const sameDir = files.every((f) => f.slice(0, cut(f) + 1) === dir);
  const names = files.map((f) => (sameDir ? f.slice(cut(f) + 1) : f));
  const shown = names.length > 4 ? `${names.slice(0, 3).join(', ')} … ${names[names.length - 1]}` : names.join(', ');
  return `Exported ${files.length} files${sameDir && dir ? ` to ${dir}` : ''}: ${shown}.`;
}

/** The export format from a chosen file name, and the file name with the extension it needs. */
export function exportTarget(path: string, fallback: ExportFormat): { path: string; format: ExportFormat } {
  const m = /\.(pdf|png|csv)$/i.exec(path);
  if (m) return { path, format: m[1].toLowerCase() as ExportFormat };
  return { path: `${path}.${fallback}`, format: fallback };
}
