import { afterEach, describe, expect, it } from 'vitest';
import { chartFileName, chartForShortcut, chartView, type ChartEntry } from './chart';
import { dropoffFileName, dropoffSentence } from './dropoff';
import { otherWorkspaces, workspaceLabel, workspaceLabels } from './workspaces';

describe('chartView', () => {
  it('asks for the container width in steps of 80 px, within 480..1600, in the app theme', () => {
    expect(chartView(990, 'dark')).toEqual({ theme: 'dark', width: 960 });
    expect(chartView(1041, 'light').width).toBe(1040);
    expect(chartView(100, 'light').width).toBe(480);
    expect(chartView(5000, 'light').width).toBe(1600);
    // not measured yet: a sensible default, never 0 or NaN
    expect(chartView(0, 'light').width).toBe(880);
    expect(chartView(Number.NaN, 'light').width).toBe(880);
  });
});

describe('chartFileName', () => {
  it('makes a file name of a chart title', () => {
    expect(chartFileName('Checkout funnel')).toBe('Checkout funnel.png');
    expect(chartFileName('Sales: Q3 / Q4?')).toBe('Sales Q3 Q4.png');
    expect(chartFileName('  ')).toBe('chart.png');
    expect(chartFileName('a.', 'csv')).toBe('a.csv');
  });
});

describe('chartForShortcut', () => {
  const made: HTMLElement[] = [];
  afterEach(() => made.splice(0).forEach((e) => e.remove()));
  function figure(): HTMLElement {
    const f = document.createElement('figure');
    f.tabIndex = 0;
    f.appendChild(document.createElement('button'));
    document.body.appendChild(f);
    made.push(f);
    return f;
  }
  const entry = (element: HTMLElement, svg: string, title: string): ChartEntry => ({
    element,
    svg: () => svg,
    title: () => title,
  });

  it('copies the focused chart, else the first on the page', () => {
    const a = figure();
    const b = figure();
    // registered out of page order
    const entries = [entry(b, '<svg>b</svg>', 'B'), entry(a, '<svg>a</svg>', 'A')];
    expect(chartForShortcut(null, entries)?.title()).toBe('A');
    expect(chartForShortcut(b, entries)?.title()).toBe('B');
    // focus on the chart's own button counts as the chart
    expect(chartForShortcut(b.querySelector('button'), entries)?.title()).toBe('B');
    expect(chartForShortcut(document.body, entries)?.title()).toBe('A');
  });

  it('skips charts with nothing drawn and says none when there is none', () => {
    const a = figure();
    const b = figure();
    expect(chartForShortcut(null, [entry(a, '', 'A'), entry(b, '<svg/>', 'B')])?.title()).toBe('B');
    expect(chartForShortcut(null, [entry(a, '', 'A')])).toBeNull();
    expect(chartForShortcut(null, [])).toBeNull();
  });
});

describe('drop-off words', () => {
  it('says who dropped between which steps', () => {
    const d = { step: 2, from_label: 'add_to_cart', to_label: 'checkout', unit: 'users', count: 1200 };
    expect(dropoffSentence(d)).toBe('users reached “add_to_cart” but not “checkout”');
    expect(dropoffSentence({ ...d, count: 1 })).toBe('user reached “add_to_cart” but not “checkout”');
    expect(dropoffSentence({ ...d, unit: 'sessions', count: 1 })).toContain('session reached');
    expect(dropoffFileName(d)).toBe('dropped before step 3 - checkout.csv');
    expect(dropoffFileName({ step: 1, to_label: '/checkout*' })).toBe('dropped before step 2 - checkout.csv');
  });
});

describe('recent workspaces', () => {
  it('lists the others, most recent first, without the open one or duplicates', () => {
    const recent = ['/w/A.stepwise', '/w/B.stepwise', '/w/A.stepwise', '', '/w/C.stepwise'];
    expect(otherWorkspaces(recent, '/w/A.stepwise')).toEqual(['/w/B.stepwise', '/w/C.stepwise']);
    expect(otherWorkspaces(recent, null, 2)).toEqual(['/w/A.stepwise', '/w/B.stepwise']);
    expect(workspaceLabel('/home/a/Client A.stepwise')).toBe('Client A');
    expect(workspaceLabel('C:\\data\\B.stepwise')).toBe('B');
  });

  it('tells workspaces of the same name apart by their folder', () => {
    expect(
      workspaceLabels(['/tmp/e2e-1/workspace.stepwise', '/tmp/e2e-2/workspace.stepwise', '/home/a/Client A.stepwise']),
    ).toEqual(['workspace — e2e-1', 'workspace — e2e-2', 'Client A']);
  });
});
