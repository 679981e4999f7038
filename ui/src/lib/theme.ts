// Light / dark theme: follows prefers-color-scheme until the user picks one,
// which is remembered in localStorage.

export type Theme = 'light' | 'dark';
const KEY = 'stepwise.theme';

export function systemTheme(): Theme {
  if (typeof window === 'undefined' || !window.matchMedia) return 'light';
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function savedTheme(): Theme | null {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null;
  }
}

export function saveTheme(t: Theme): void {
  try {
    localStorage.setItem(KEY, t);
  } catch {
    // Private mode or no storage: the choice lasts for this session only.
  }
}

export function applyTheme(t: Theme): void {
  document.documentElement.dataset.theme = t;
}
