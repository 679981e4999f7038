// Report assembly: the report is the engine's own ReportSpec (what is saved,
// what `stepwise report` runs and what the export sends). Its sections embed
// full specs -- a funnel, a funnel's trend, a comparison, an impact analysis,
// a metric table's bars -- or text, each with a heading and an intro sentence.

import { moveItem } from './funnel';
import type { ExportFormat, MetricSectionSpec, ReportSpec, ReportSpecSection, SavedItem } from './types';

export type SectionKind = 'funnel' | 'trend' | 'compare' | 'impact' | 'metric' | 'text';

export const SECTION_KINDS: { kind: SectionKind; label: string }[] = [
  { kind: 'funnel', label: 'funnel' },
  { kind: 'trend', label: 'conversion over time' },
  { kind: 'compare', label: 'comparison' },
  { kind: 'impact', label: 'impact' },
  { kind: 'metric', label: 'report table' },
  { kind: 'text', label: 'text' },
];

export function emptyReport(): ReportSpec {
  return { title: '', page: 'A4', sections: [] };
}

/** Which kind a section is (the one body key it has). */
export function sectionKind(s: ReportSpecSection): SectionKind {
  if (s.funnel !== undefined) return 'funnel';
  if (s.trend !== undefined) return 'trend';
  if (s.compare !== undefined) return 'compare';
  if (s.impact !== undefined) return 'impact';
  if (s.metric !== undefined) return 'metric';
  return 'text';
}

export function funnelSection(f: SavedItem<'funnel'>): ReportSpecSection {
  return { heading: f.name, funnel: f.spec };
}

/** A saved funnel's conversion over time (weekly unless the funnel asks for another interval). */
export function trendSection(f: SavedItem<'funnel'>): ReportSpecSection {
  return { heading: `${f.name}: conversion over time`, trend: f.spec };
}

export function compareSection(c: SavedItem<'compare'>): ReportSpecSection {
  return { heading: c.name, compare: c.spec };
}

export function impactSection(i: SavedItem<'impact'>): ReportSpecSection {
  return { heading: i.name, impact: i.spec };
}

/** Bars of an imported report table: `metric` summed per value of `dimension` (the engine heads it unless the analyst does). */
export function metricSection(m: MetricSectionSpec): ReportSpecSection {
  return { metric: m };
}

export function textSection(): ReportSpecSection {
  return { heading: 'Findings', text: '' };
}

export function moveSection(r: ReportSpec, from: number, to: number): ReportSpec {
  return { ...r, sections: moveItem(r.sections, from, to) };
}

/**
 * The report as it is saved and exported: empty optional text left out, so
 * that the engine gets exactly its spec (and a heading left blank falls back
 * to the engine's own).
 */
export function reportForEngine(r: ReportSpec): ReportSpec {
  const out: ReportSpec = { title: r.title.trim(), page: r.page, sections: [] };
  if (r.subtitle?.trim()) out.subtitle = r.subtitle.trim();
  if (r.client?.trim()) out.client = r.client.trim();
  out.sections = r.sections.map((s) => {
    const c: ReportSpecSection = { ...s };
    if (!c.heading?.trim()) delete c.heading;
    if (!c.intro?.trim()) delete c.intro;
    return c;
  });
  return out;
}

/** What stops the report from being saved or exported. */
export function reportIssues(r: ReportSpec): string[] {
  const out: string[] = [];
  if (!r.title.trim()) out.push('Give the report a title.');
  if (r.sections.length === 0) out.push('Add a section: a saved funnel, comparison or impact analysis, or text.');
  r.sections.forEach((s, i) => {
    if (sectionKind(s) === 'text' && !s.text?.trim()) out.push(`Section ${i + 1} has no text yet.`);
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
  const m = /\.(pdf|png|csv|xlsx)$/i.exec(path);
  if (m) return { path, format: m[1].toLowerCase() as ExportFormat };
  return { path: `${path}.${fallback}`, format: fallback };
}
