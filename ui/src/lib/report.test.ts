import { describe, expect, it, vi } from 'vitest';
import {
  compareSection,
  emptyReport,
  exportNotice,
  exportTarget,
  funnelSection,
  impactSection,
  KINDS,
  makePreviewer,
  metricSection,
  removeSection,
  retentionHeading,
  screenHints,
  sectionChoices,
  sectionSummary,
  valueHeading,
  SECTION_KINDS,
  tableSection,
  moveSection,
  reportForEngine,
  reportIssues,
  sectionKind,
  textSection,
  trendSection,
} from './report';
import type { FunnelSpec, ReportSpec } from './types';

const funnel: FunnelSpec = { dataset: 's', steps: [{ event: 'view_item' }, { event: 'purchase' }] };
const saved = { kind: 'funnel' as const, name: 'Checkout', updated_at: '', spec: funnel };

describe('reports', () => {
  it('lists what is missing', () => {
    const r = emptyReport();
    expect(reportIssues(r)).toEqual([
      'Give the report a title.',
      'Add a section: a saved funnel, comparison or impact analysis, or text.',
    ]);
    r.title = 'September';
    r.sections = [textSection()];
    expect(reportIssues(r)).toEqual(['Section 1 has no text yet.']);
  });

  it("builds the engine's sections, each embedding the full spec", () => {
    const compare = { funnel, by: 'device_category' };
    const impact = { dataset: 's', goal: { event: 'purchase' }, candidates: 'auto' as const };
    expect(funnelSection(saved)).toEqual({ heading: 'Checkout', funnel });
    expect(trendSection(saved)).toEqual({ heading: 'Checkout: conversion over time', trend: funnel });
    expect(compareSection({ kind: 'compare', name: 'By device', updated_at: '', spec: compare })).toEqual({ heading: 'By device', compare });
    expect(impactSection({ kind: 'impact', name: 'Drivers', updated_at: '', spec: impact })).toEqual({ heading: 'Drivers', impact });
    expect(textSection()).toEqual({ heading: 'Findings', text: '' });
    expect(metricSection({ dataset: 'pages', dimension: 'Page path', metric: 'Users' })).toEqual({
      metric: { dataset: 'pages', dimension: 'Page path', metric: 'Users' },
    });
    expect(['funnel', 'trend', 'text'].map((k) => k)).toEqual([
      sectionKind(funnelSection(saved)),
      sectionKind(trendSection(saved)),
      sectionKind(textSection()),
    ]);
  });

  it('adds and reorders sections', () => {
    const r = emptyReport();
    r.sections = [funnelSection(saved), textSection()];
    const m = moveSection(r, 1, 0);
    expect(m.sections.map(sectionKind)).toEqual(['text', 'funnel']);
    expect(m.sections[1]).toMatchObject({ heading: 'Checkout', funnel: { dataset: 's' } });
  });

  it('saves and exports exactly the engine spec: blank optional text left out', () => {
    const r = emptyReport();
    r.title = ' September review ';
    r.subtitle = '  ';
    r.sections = [{ ...funnelSection(saved), heading: '', intro: 'Mobile leaks most.' }, { ...textSection(), intro: ' ', text: 'Next.' }];
    expect(reportForEngine(r)).toEqual({
      title: 'September review',
      page: 'A4',
      sections: [
        { funnel, intro: 'Mobile leaks most.' },
        { heading: 'Findings', text: 'Next.' },
      ],
    });
  });

  it('keeps where the report is counted: ClickHouse, or nothing for this laptop', () => {
    const r = emptyReport();
    r.title = 'T';
    r.sections = [funnelSection(saved)];
    expect(reportForEngine({ ...r, engine: 'clickhouse' }).engine).toBe('clickhouse');
    expect('engine' in reportForEngine({ ...r, engine: 'local' })).toBe(false);
    expect('engine' in reportForEngine(r)).toBe(false);
  });

  it('takes the format from the file name', () => {
    expect(exportTarget('/tmp/r.PDF', 'png')).toEqual({ path: '/tmp/r.PDF', format: 'pdf' });
    expect(exportTarget('/tmp/r', 'pdf')).toEqual({ path: '/tmp/r.pdf', format: 'pdf' });
    expect(exportTarget('/tmp/r.csv', 'pdf').format).toBe('csv');
    expect(exportTarget('/tmp/r.xlsx', 'pdf').format).toBe('xlsx');
  });
});

describe('exportNotice', () => {
  it('names what was written', () => {
    expect(exportNotice(['/a/r.pdf'], '/a/r.pdf')).toBe('Exported /a/r.pdf.');
    expect(exportNotice(['/a/r-01.png', '/a/r-02.png'], '/a/r.png')).toBe('Exported 2 files to /a/: r-01.png, r-02.png.');
    expect(exportNotice([], '/a/r.pdf')).toBe('Exported /a/r.pdf.');
    const many = Array.from({ length: 6 }, (_, i) => `C:\\out\\r-0${i + 1}.png`);
    expect(exportNotice(many, 'C:\\out\\r.png')).toBe('Exported 6 files to C:\\out\\: r-01.png, r-02.png, r-03.png … r-06.png.');
  });
});

describe('the table of section kinds', () => {
  const compare = { kind: 'compare' as const, name: 'By device', updated_at: '', spec: { funnel, by: 'device_category' } };
  const impact = { kind: 'impact' as const, name: 'Drivers', updated_at: '', spec: { dataset: 's', goal: { event: 'purchase' }, candidates: 'auto' as const } };
  const table = {
    name: 'pages',
    kind: 'metrics',
    columns: [
      { name: 'Page path', type: 'text', role: 'page' },
      { name: 'Sessions', type: 'integer', role: 'metric' },
    ],
  } as unknown as import('./types').DatasetInfo;

  it("has one entry per body key of the engine's ReportSpecSection, each making a section of its own kind", () => {
    expect(Object.keys(KINDS).sort()).toEqual(['compare', 'funnel', 'impact', 'metric', 'paths', 'retention', 'text', 'trend', 'value']);
    const valueSection = { heading: 'Worth', value: { ...saved.spec, value: { per_goal: 50 } } };
    const pathsSection = { heading: 'Next', paths: { dataset: 's', from: { event: 'view' } } };
    const retentionSection = { heading: 'Back', retention: { dataset: 's', cohort: 'first_seen' as const, return: 'any' as const, interval: 'week' as const } };
    const source = {
      funnel: { item: saved },
      trend: { item: saved },
      compare: { item: compare },
      impact: { item: impact },
      metric: { table },
      text: null,
      value: { section: valueSection },
      paths: { section: pathsSection },
      retention: { section: retentionSection },
    };
    for (const k of SECTION_KINDS) {
      const s = k.make(source[k.kind]);
      expect(s, k.kind).not.toBeNull();
      expect(sectionKind(s!)).toBe(k.kind);
      // exactly one body key: what the engine's validate() asks
      expect(SECTION_KINDS.filter((x) => s![x.kind] !== undefined).map((x) => x.kind)).toEqual([k.kind]);
    }
    // a source of the wrong kind makes nothing
    expect(KINDS.compare.make({ item: saved })).toBeNull();
    expect(KINDS.metric.make({ item: saved })).toBeNull();
    expect(KINDS.paths.make({ section: valueSection })).toBeNull();
  });

  it('offers each saved item under every kind made from it, report tables under theirs', () => {
    const menu = sectionChoices({ funnel: [saved], compare: [compare], impact: [impact] }, [table]);
    expect(menu.map((g) => [g.kind, g.options.map((o) => o.value)])).toEqual([
      ['funnel', ['funnel:Checkout']],
      ['trend', ['trend:Checkout']],
      ['compare', ['compare:By device']],
      ['impact', ['impact:Drivers']],
      ['metric', ['metric:pages']],
    ]);
    expect(menu[1].options[0].label).toBe('Checkout: over time');
  });

  it('a report table without a number column makes no section', () => {
    expect(tableSection(table)).toEqual({ metric: { dataset: 'pages', dimension: 'Page path', metric: 'Sessions' } });
    expect(tableSection({ ...table, columns: table.columns.slice(0, 1) })).toBeNull();
  });

  it('a section with two kinds, or a report table with no column, is refused before the engine sees it', () => {
    const r: ReportSpec = { ...emptyReport(), title: 'x', sections: [{ funnel, text: 'y' }] };
    expect(reportIssues(r)).toEqual(['Section 1 must be exactly one kind of section.']);
    r.sections = [{ metric: { dataset: 'pages', dimension: '', metric: 'Sessions' } }];
    expect(reportIssues(r)).toEqual(['Section 1 needs a column to group by and one to sum.']);
  });

  it('removing a section can be undone, back at its place', () => {
    const r = { ...emptyReport(), title: 'x', sections: [funnelSection(saved), textSection(), trendSection(saved)] };
    const { report, undo } = removeSection(r, 1);
    expect(report.sections.map(sectionKind)).toEqual(['funnel', 'trend']);
    expect(undo(report).sections.map(sectionKind)).toEqual(['funnel', 'text', 'trend']);
    // edits made since are kept
    const edited = { ...report, sections: [report.sections[0]] };
    expect(undo(edited).sections.map(sectionKind)).toEqual(['funnel', 'text']);
  });
});

describe('sections made by a screen (value, paths, retention)', () => {
  const funnel = { dataset: 'shop', steps: [{ event: 'view_item' }, { event: 'add_to_cart' }, { event: 'purchase' }] };

  it('the menu names, per screen kind, where it is added from', () => {
    expect(screenHints()).toEqual([
      { kind: 'value', group: 'What each step is worth', hint: 'From the Value tab of a funnel: “Add to report”' },
      { kind: 'paths', group: 'Paths', hint: 'From Journeys › Paths: “Add to report”' },
      { kind: 'retention', group: 'Retention', hint: 'From Journeys › Retention: “Add to report”' },
    ]);
  });

  it('heads them as their screens do', () => {
    expect(valueHeading('Checkout')).toBe('Checkout: what each step is worth');
    expect(valueHeading('  ')).toBe('Funnel: what each step is worth');
    const r = { dataset: 'shop', cohort: 'first_seen' as const, return: 'any' as const, interval: 'week' as const };
    expect(retentionHeading(r)).toBe('Weekly retention');
    expect(retentionHeading({ ...r, interval: 'day' })).toBe('Daily retention');
    expect(retentionHeading({ ...r, interval: 'month' })).toBe('Monthly retention');
  });

  it('says in one line what each asks', () => {
    expect(sectionSummary({ value: { ...funnel, value: { column: 'value' } } })).toBe(
      'shop · 3 steps, view_item → purchase · order value: column “value”',
    );
    expect(sectionSummary({ value: { ...funnel, value: { per_goal: 49.9 }, what_if: { step: 2, relative: 0.1 } } })).toBe(
      'shop · 3 steps, view_item → purchase · 49.9 per goal · what if step 2 converts 10% better',
    );
    expect(sectionSummary({ paths: { dataset: 'shop', from: { event: 'view_item' } } })).toBe(
      'shop · from event “view_item” · next, 3 levels · top 8 per level by event',
    );
    expect(sectionSummary({ paths: { dataset: 'shop', from: { funnel, dropoff: 1 }, direction: 'previous', levels: 1, top: 5, by: 'page' } })).toBe(
      'shop · from the drop-offs after step 1 of a funnel · before, 1 level · top 5 per level by page',
    );
    expect(sectionSummary({ paths: { dataset: 'shop', from: { page: { regex: '^/p/' } } } })).toContain('from page /^/p//');
    expect(sectionSummary({ retention: { dataset: 'shop', cohort: 'first_seen', return: 'any', interval: 'week' } })).toBe(
      'shop · cohort by first visit · back: any event · weekly, 8 periods',
    );
    expect(
      sectionSummary({ retention: { dataset: 'shop', cohort: { event: 'purchase' }, return: { event: 'purchase' }, interval: 'month', periods: 6, goal: 'purchase' } }),
    ).toBe('shop · cohort by first “purchase” · back: “purchase” · monthly, 6 periods · orders: “purchase”');
    expect(sectionSummary({ funnel })).toBeNull();
    expect(sectionSummary({ text: 'x' })).toBeNull();
  });
});

describe('the preview', () => {
  const spec = (title: string) => ({ ...emptyReport(), title, sections: [textSection()] });

  it('waits for the edits to settle, builds one at a time and only the latest', async () => {
    vi.useFakeTimers();
    try {
      const builds: string[] = [];
      let finish: (() => void) | null = null;
      const states: { building: boolean; pages: string[] }[] = [];
      const p = makePreviewer(
        (s) => {
          builds.push(s.title);
          return new Promise<string[]>((resolve) => (finish = () => resolve([`<svg>${s.title}</svg>`])));
        },
        (st) => states.push({ building: st.building, pages: st.pages }),
        String,
        500,
      );
      p.request(spec('a'));
      p.request(spec('b'));
      await vi.advanceTimersByTimeAsync(499);
      expect(builds).toEqual([]);
      expect(states.at(-1)?.building).toBe(true);
      await vi.advanceTimersByTimeAsync(1);
      expect(builds).toEqual(['b']);
      // edits while it builds: one more build, of the last
      p.request(spec('c'));
      p.request(spec('d'));
      await vi.advanceTimersByTimeAsync(600);
      expect(builds).toEqual(['b']);
      finish!();
      await vi.advanceTimersByTimeAsync(0);
      expect(states.at(-1)?.pages).toEqual(['<svg>b</svg>']);
      expect(builds).toEqual(['b', 'd']);
      finish!();
      await vi.advanceTimersByTimeAsync(0);
      expect(states.at(-1)).toEqual({ building: false, pages: ['<svg>d</svg>'] });
      // the same spec again builds nothing
      p.request(spec('d'));
      await vi.advanceTimersByTimeAsync(600);
      expect(builds).toEqual(['b', 'd']);
      expect(states.at(-1)?.building).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps the last pages and says the engine's error", async () => {
    vi.useFakeTimers();
    try {
      let fail = false;
      let last: { pages: string[]; error: string | null } = { pages: [], error: null };
      const p = makePreviewer(
        async () => {
          if (fail) throw new Error('the funnel has no steps');
          return ['<svg/>'];
        },
        (st) => (last = st),
        (e) => (e as Error).message,
        100,
      );
      p.request(spec('a'));
      await vi.advanceTimersByTimeAsync(100);
      fail = true;
      p.request(spec('b'));
      await vi.advanceTimersByTimeAsync(100);
      expect(last).toMatchObject({ pages: ['<svg/>'], error: 'the funnel has no steps' });
      p.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
