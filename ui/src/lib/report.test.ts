import { describe, expect, it } from 'vitest';
import { emptyReport, exportNotice, exportTarget, funnelSection, moveSection, reportIssues, textSection } from './report';

describe('reports', () => {
  it('lists what is missing', () => {
    const r = emptyReport();
    expect(reportIssues(r)).toEqual(['Give the report a title.', 'Add a section: a saved funnel, or text.']);
    r.title = 'September';
    r.sections = [textSection()];
    expect(reportIssues(r)).toEqual(['Section 1 has no text yet.']);
  });
  it('adds and reorders sections', () => {
    const r = emptyReport();
    r.sections = [funnelSection({ kind: 'funnel', name: 'Checkout', spec: { dataset: 's', steps: [] } }), textSection()];
    const m = moveSection(r, 1, 0);
    expect(m.sections.map((s) => s.type)).toEqual(['text', 'funnel']);
    expect(m.sections[1]).toMatchObject({ title: 'Checkout', spec: { dataset: 's' } });
  });
  it('takes the format from the file name', () => {
    expect(exportTarget('/tmp/r.PDF', 'png')).toEqual({ path: '/tmp/r.PDF', format: 'pdf' });
    expect(exportTarget('/tmp/r', 'pdf')).toEqual({ path: '/tmp/r.pdf', format: 'pdf' });
    expect(exportTarget('/tmp/r.csv', 'pdf').format).toBe('csv');
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
