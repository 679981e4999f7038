import { describe, expect, it } from 'vitest';
import {
  compareSection,
  emptyReport,
  exportNotice,
  exportTarget,
  funnelSection,
  impactSection,
  metricSection,
  moveSection,
  reportForEngine,
  reportIssues,
  sectionKind,
  textSection,
  trendSection,
} from './report';
import type { FunnelSpec } from './types';

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
