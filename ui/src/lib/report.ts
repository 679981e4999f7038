// Report assembly: the report is the engine's own ReportSpec (what is saved,
// what `stepwise report` runs and what the export sends). Its sections embed
// full specs -- a funnel, a funnel's trend, a comparison, an impact analysis,
// a metric table's bars -- or text, each with a heading and an intro sentence.

import { moveItem } from './funnel';
import type { DatasetInfo, ExportFormat, ItemKind, MetricSectionSpec, PathsSpec, ReportSpec, ReportSpecSection, RetentionSpec, SavedItem } from './types';
import type { ValueSpec } from './bindings/ValueSpec';

/** A section's body key in the engine's ReportSpecSection: every key but its heading and intro. */
export type SectionKind = Exclude<keyof ReportSpecSection, 'heading' | 'intro'>;

/**
 * Where a section of a kind comes from: a saved item of the workspace, an imported report table,
 * a screen's own section (its "Add to report" button: value, paths, retention), or nothing (text).
 */
export type SectionSource = { item: SavedItem } | { table: DatasetInfo } | { section: ReportSpecSection } | null;

/** Which editor fields a kind has beside its heading and intro. */
export type SectionFields = 'text' | 'metric' | 'interval' | null;

export interface SectionKindDef {
  kind: SectionKind;
  /** The kind in the editor ("comparison"). */
  label: string;
  /** The heading of its group in the "+ Section" menu. */
  group: string;
  /**
   * What its sections are made from: saved items of this kind, the report tables ('table'), the
   * screen named here through its "Add to report" button ('screen'), or nothing ('none').
   */
  from: ItemKind | 'table' | 'screen' | 'none';
  /** For a 'screen' kind: the screen whose "Add to report" makes it (the menu says so). */
  screen?: string;
  /** The section made from a source (null when it cannot be: a table without a text and a number column). */
  make(source: SectionSource): ReportSpecSection | null;
  fields: SectionFields;
}

const savedSpec = (s: SectionSource) => (s && 'item' in s ? s.item : null);
/** A screen's section, when it is of kind `k`. */
const screenSection = (s: SectionSource, k: SectionKind) => (s && 'section' in s && s.section[k] !== undefined ? s.section : null);

/**
 * Every kind of section the engine's report spec has, one entry each, in the menu's order. A
 * kind the engine adds (a ReportSpecSection key) fails the type check until it has its entry here;
 * the screen, the menu and the checks all read this table.
 */
export const KINDS: { [K in SectionKind]: SectionKindDef & { kind: K } } = {
  funnel: {
    kind: 'funnel',
    label: 'funnel',
    group: 'Funnels',
    from: 'funnel',
    make: (s) => {
      const f = savedSpec(s);
      return f?.kind === 'funnel' ? { heading: f.name, funnel: f.spec } : null;
    },
    fields: null,
  },
  trend: {
    kind: 'trend',
    label: 'conversion over time',
    group: 'Conversion over time',
    from: 'funnel',
    make: (s) => {
      const f = savedSpec(s);
      return f?.kind === 'funnel' ? { heading: `${f.name}: conversion over time`, trend: f.spec } : null;
    },
    fields: 'interval',
  },
  compare: {
    kind: 'compare',
    label: 'comparison',
    group: 'Comparisons',
    from: 'compare',
    make: (s) => {
      const c = savedSpec(s);
      return c?.kind === 'compare' ? { heading: c.name, compare: c.spec } : null;
    },
    fields: null,
  },
  impact: {
    kind: 'impact',
    label: 'impact',
    group: 'Impact analyses',
    from: 'impact',
    make: (s) => {
      const m = savedSpec(s);
      return m?.kind === 'impact' ? { heading: m.name, impact: m.spec } : null;
    },
    fields: null,
  },
  value: {
    kind: 'value',
    label: 'value per step',
    group: 'What each step is worth',
    from: 'screen',
    screen: 'the Value tab of a funnel',
    make: (s) => screenSection(s, 'value'),
    fields: null,
  },
  paths: {
    kind: 'paths',
    label: 'paths',
    group: 'Paths',
    from: 'screen',
    screen: 'Journeys › Paths',
    make: (s) => screenSection(s, 'paths'),
    fields: null,
  },
  retention: {
    kind: 'retention',
    label: 'retention',
    group: 'Retention',
    from: 'screen',
    screen: 'Journeys › Retention',
    make: (s) => screenSection(s, 'retention'),
    fields: null,
  },
  metric: {
    kind: 'metric',
    label: 'report table',
    group: 'Report tables',
    from: 'table',
    make: (s) => (s && 'table' in s ? tableSection(s.table) : null),
    fields: 'metric',
  },
  text: {
    kind: 'text',
    label: 'text',
    group: 'Text',
    from: 'none',
    make: () => textSection(),
    fields: 'text',
  },
};

/** The kinds in the menu's order. */
export const SECTION_KINDS: SectionKindDef[] = Object.values(KINDS);

export function emptyReport(): ReportSpec {
  return { title: '', page: 'A4', sections: [] };
}

/** Which kind a section is (the one body key it has; text when it has none). */
export function sectionKind(s: ReportSpecSection): SectionKind {
  return SECTION_KINDS.find((k) => s[k.kind] !== undefined)?.kind ?? 'text';
}

export function kindLabel(kind: SectionKind): string {
  return KINDS[kind].label;
}

/** What the "+ Section" menu offers: per kind, the saved items or tables it can be made from (`value` is "kind:name"). */
export function sectionChoices(
  saved: { [K in ItemKind]?: readonly SavedItem<K>[] },
  tables: readonly DatasetInfo[],
): { kind: SectionKind; group: string; options: { value: string; label: string; source: SectionSource }[] }[] {
  return SECTION_KINDS.filter((k) => k.from !== 'none' && k.from !== 'screen').map((k) => {
    const options =
      k.from === 'table'
        ? tables.map((t) => ({ value: `${k.kind}:${t.name}`, label: t.name, source: { table: t } as SectionSource }))
        : ((saved[k.from as ItemKind] ?? []) as readonly SavedItem[]).map((item) => ({
            value: `${k.kind}:${item.name}`,
            label: k.kind === 'trend' ? `${item.name}: over time` : item.name,
            source: { item } as SectionSource,
          }));
    return { kind: k.kind, group: k.group, options };
  });
}

/** The section a screen's "Add to report" hands over: its spec under its kind, a heading of its own. */
export function valueSection(heading: string, spec: ValueSpec): ReportSpecSection {
  return { heading, value: spec };
}
export function pathsSection(heading: string, spec: PathsSpec): ReportSpecSection {
  return { heading, paths: spec };
}
export function retentionSection(heading: string, spec: RetentionSpec): ReportSpecSection {
  return { heading, retention: spec };
}

/** The Value tab's heading for its section: "Checkout: what each step is worth". */
export function valueHeading(funnelName: string): string {
  return `${funnelName.trim() || 'Funnel'}: what each step is worth`;
}

/** The Retention screen's heading for its section: "Weekly retention". */
export function retentionHeading(spec: RetentionSpec): string {
  return `${spec.interval === 'day' ? 'Daily' : spec.interval === 'month' ? 'Monthly' : 'Weekly'} retention`;
}

/**
 * The "+ Section" menu's hints: per kind made by a screen's "Add to report" button, where to
 * add it from ("Add from Journeys › Paths: Add to report").
 */
export function screenHints(): { kind: SectionKind; group: string; hint: string }[] {
  return SECTION_KINDS.filter((k) => k.from === 'screen').map((k) => ({
    kind: k.kind,
    group: k.group,
    hint: `From ${k.screen}: “Add to report”`,
  }));
}

const quoted = (p: unknown) => (typeof p === 'string' ? `“${p}”` : p && typeof p === 'object' && 'regex' in p ? `/${String(p.regex)}/` : '');
const stepName = (s: { label?: string; event?: string; page?: unknown }) => s.label ?? s.event ?? (s.page !== undefined ? quoted(s.page) : '?');

/**
 * One line saying what a section made by a screen asks (its spec, in words): the dataset, where
 * it starts, its interval. Null for the other kinds (their source names them).
 */
export function sectionSummary(s: ReportSpecSection): string | null {
  if (s.value) {
    const v = s.value;
    const steps = v.steps.length ? `${v.steps.length} steps, ${stepName(v.steps[0])} → ${stepName(v.steps[v.steps.length - 1])}` : 'no steps';
    const worth =
      v.value.column !== undefined ? `order value: column “${v.value.column}”` : v.value.per_goal !== undefined ? `${v.value.per_goal} per goal` : 'no order value';
    const parts = [v.dataset, steps, worth];
    if (v.what_if) {
      const w = v.what_if;
      const by =
        w.relative !== undefined ? `${Math.round(w.relative * 1000) / 10}% better` : w.points !== undefined ? `${Math.round(w.points * 1000) / 10} points better` : 'better';
      parts.push(`what if step ${w.step} converts ${by}`);
    }
    return parts.join(' · ');
  }
  if (s.paths) {
    const p = s.paths;
    const f = p.from;
    const start =
      'event' in f
        ? `from event “${f.event}”`
        : 'page' in f
          ? `from page ${quoted(f.page)}`
          : 'dropoff' in f
            ? `from the drop-offs after step ${f.dropoff} of a funnel`
            : 'between' in f
              ? `between step ${f.between} of a funnel and the next`
              : `from step ${f.step} of a funnel`;
    const levels = p.levels ?? 3;
    return [
      p.dataset,
      start,
      `${p.direction === 'previous' ? 'before' : 'next'}, ${levels} level${levels === 1 ? '' : 's'}`,
      `top ${p.top ?? 8} per level by ${p.by ?? 'event'}`,
    ].join(' · ');
  }
  if (s.retention) {
    const r = s.retention;
    const cohort = r.cohort === 'first_seen' ? 'cohort by first visit' : `cohort by first “${r.cohort.event}”`;
    const back = r.return === 'any' ? 'back: any event' : `back: “${r.return.event}”`;
    const per = r.interval === 'day' ? 'daily' : r.interval === 'month' ? 'monthly' : 'weekly';
    const parts = [r.dataset, cohort, back, `${per}, ${r.periods ?? 8} periods`];
    if (r.goal) parts.push(`orders: “${r.goal}”`);
    return parts.join(' · ');
  }
  return null;
}

export function funnelSection(f: SavedItem<'funnel'>): ReportSpecSection {
  return KINDS.funnel.make({ item: f })!;
}

/** A saved funnel's conversion over time (weekly unless the funnel asks for another interval). */
export function trendSection(f: SavedItem<'funnel'>): ReportSpecSection {
  return KINDS.trend.make({ item: f })!;
}

export function compareSection(c: SavedItem<'compare'>): ReportSpecSection {
  return KINDS.compare.make({ item: c })!;
}

export function impactSection(i: SavedItem<'impact'>): ReportSpecSection {
  return KINDS.impact.make({ item: i })!;
}

/** Bars of an imported report table: `metric` summed per value of `dimension` (the engine heads it unless the analyst does). */
export function metricSection(m: MetricSectionSpec): ReportSpecSection {
  return { metric: m };
}

/** A report table's section with its first dimension-like text column and its first metric (null when it has none). */
export function tableSection(table: DatasetInfo): ReportSpecSection | null {
  const text = table.columns.filter((c) => c.type === 'text');
  const numbers = table.columns.filter((c) => c.type === 'integer' || c.type === 'decimal');
  const dimension = text.find((c) => c.role === 'page' || c.role === 'event' || c.role === 'dimension') ?? text[0];
  const metric = numbers.find((c) => c.role === 'metric') ?? numbers[0];
  return dimension && metric ? metricSection({ dataset: table.name, dimension: dimension.name, metric: metric.name }) : null;
}

export function textSection(): ReportSpecSection {
  return { heading: 'Findings', text: '' };
}

/** The report without section `i`, and how to put it back (the undo of a removal). */
export function removeSection(r: ReportSpec, i: number): { report: ReportSpec; undo: (now: ReportSpec) => ReportSpec } {
  const removed = r.sections[i];
  const sections = r.sections.filter((_, k) => k !== i);
  return {
    report: { ...r, sections },
    undo: (now) => {
      const at = Math.min(i, now.sections.length);
      return { ...now, sections: [...now.sections.slice(0, at), removed, ...now.sections.slice(at)] };
    },
  };
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
  if (r.engine === 'clickhouse') out.engine = 'clickhouse';
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
    const kinds = SECTION_KINDS.filter((k) => s[k.kind] !== undefined).length;
    if (kinds !== 1) out.push(`Section ${i + 1} must be exactly one kind of section.`);
    else if (sectionKind(s) === 'text' && !s.text?.trim()) out.push(`Section ${i + 1} has no text yet.`);
    else if (s.metric && (!s.metric.dimension || !s.metric.metric)) out.push(`Section ${i + 1} needs a column to group by and one to sum.`);
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

/** The preview's state: the engine's pages (SVG) of the last report built, whether a build runs, and its error. */
export interface PreviewState {
  pages: string[];
  building: boolean;
  error: string | null;
  /** The spec (JSON) the pages show. */
  shown: string | null;
}

/**
 * Builds the preview at most once at a time: a request waits `delayMs` for the edits to settle,
 * one build runs, and edits made meanwhile start one more build when it returns (only the latest
 * spec is built; an older answer never replaces a newer one).
 */
export function makePreviewer(
  build: (spec: ReportSpec) => Promise<string[]>,
  onState: (s: PreviewState) => void,
  describeError: (e: unknown) => string,
  delayMs = 500,
) {
  let state: PreviewState = { pages: [], building: false, error: null, shown: null };
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running = false;
  let wanted: ReportSpec | null = null;
  let closed = false;
  const set = (patch: Partial<PreviewState>) => {
    state = { ...state, ...patch };
    if (!closed) onState(state);
  };
  async function run() {
    timer = null;
    if (running || !wanted) return;
    const spec = wanted;
    const key = JSON.stringify(spec);
    wanted = null;
    if (key === state.shown && !state.error) return set({ building: false });
    running = true;
    set({ building: true });
    try {
      const pages = await build(spec);
      set({ pages, error: null, shown: key });
    } catch (e) {
      set({ error: describeError(e), shown: key });
    } finally {
      running = false;
      if (wanted) void run();
      else set({ building: false });
    }
  }
  return {
    /** Asks for the pages of `spec` (debounced). */
    request(spec: ReportSpec) {
      wanted = spec;
      if (timer) clearTimeout(timer);
      if (!running) set({ building: true });
      timer = setTimeout(() => void run(), delayMs);
    },
    /** Stops: nothing more is built or reported. */
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
