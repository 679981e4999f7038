// Charts in the app are the engine's SVG (the same picture as in exports).
// This module: how wide to ask for them, which chart Ctrl/Cmd+Shift+C copies,
// and the Copy / Save as PNG actions.

import { api } from './api';
import type { ChartView } from './api';
import { app } from './app.svelte';
import { pickSavePath } from './dialog';

/** Widths are asked in steps of this many px, so a small resize does not redraw. */
const WIDTH_STEP = 80;

/** The view to ask the engine for: the app's theme and the container's width (rounded, clamped). */
export function chartView(width: number, theme: 'light' | 'dark'): ChartView {
  const w = Number.isFinite(width) && width > 0 ? width : 880;
  const rounded = Math.round(w / WIDTH_STEP) * WIDTH_STEP;
  return { theme, width: Math.min(1600, Math.max(480, rounded)) };
}

/** A file name for a chart: its title without characters file systems refuse, and the extension. */
export function chartFileName(title: string, ext = 'png'): string {
  const base = title
    .replace(/[\\/:*?"<>|\u0000-\u001f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 80)
    .replace(/[. ]+$/, '');
  return `${base || 'chart'}.${ext}`;
}

export interface ChartEntry {
  /** The figure holding the chart (focusable). */
  element: HTMLElement | null;
  svg: () => string;
  title: () => string;
}

const charts: ChartEntry[] = [];

/** Registers a chart shown on screen; returns the function that forgets it. */
export function registerChart(entry: ChartEntry): () => void {
  charts.push(entry);
  return () => {
    const i = charts.indexOf(entry);
    if (i >= 0) charts.splice(i, 1);
  };
}

/**
 * The chart Ctrl/Cmd+Shift+C copies: the one holding the focus, else the first
 * one the view shows (in page order), else none.
 */
export function chartForShortcut(
  active: Element | null,
  entries: readonly ChartEntry[] = charts,
): ChartEntry | null {
  const live = entries.filter((c) => c.svg());
  if (active) {
    const focused = live.find((c) => c.element && (c.element === active || c.element.contains(active)));
    if (focused) return focused;
  }
  const ordered = live.slice().sort((a, b) => {
    if (!a.element || !b.element) return 0;
    const pos = a.element.compareDocumentPosition(b.element);
    return pos & 4 ? -1 : pos & 2 ? 1 : 0; // 4: b follows a
  });
  return ordered[0] ?? null;
}

export async function copyChart(svg: string, title: string): Promise<void> {
  try {
    await api.copyChart(svg);
    app.notify(`Copied "${title}" to the clipboard as an image.`);
  } catch (e) {
    app.showError(e, 'The chart could not be copied');
  }
}

export async function saveChart(svg: string, title: string): Promise<void> {
  try {
    const path = await pickSavePath({
      title: 'Save chart as PNG',
      defaultPath: chartFileName(title),
      filters: [{ name: 'PNG image', extensions: ['png'] }],
    });
    if (!path) return;
    await api.saveChartPng(svg, path);
    app.notify(`Saved the chart to ${path}.`);
  } catch (e) {
    app.showError(e, 'The chart could not be saved');
  }
}

/** Ctrl/Cmd+Shift+C: copies the focused chart, or the view's first. */
export async function copyChartShortcut(): Promise<void> {
  const c = chartForShortcut(typeof document === 'undefined' ? null : document.activeElement);
  if (!c) {
    app.notify('No chart on this screen to copy.');
    return;
  }
  await copyChart(c.svg(), c.title());
}
