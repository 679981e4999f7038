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

/** The export format from a chosen file name, and the file name with the extension it needs. */
export function exportTarget(path: string, fallback: ExportFormat): { path: string; format: ExportFormat } {
  const m = /\.(pdf|png|csv)$/i.exec(path);
  if (m) return { path, format: m[1].toLowerCase() as ExportFormat };
  return { path: `${path}.${fallback}`, format: fallback };
}
