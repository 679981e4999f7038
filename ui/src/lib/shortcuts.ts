// Keyboard shortcuts (UI.md): Ctrl/Cmd+O import, +N new funnel, +E export,
// +Z undo, +K search anything; Ctrl/Cmd+Shift+L switches the theme,
// Ctrl/Cmd+Shift+C copies the focused chart (else the view's first) as an image;
// Ctrl/Cmd+Shift+B opens the A/B test screen.

export type Action = 'import' | 'new-funnel' | 'export' | 'undo' | 'search' | 'toggle-theme' | 'copy-chart' | 'ab-test';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  /** The element the key went to. */
  target?: EventTarget | null;
}

function isTextField(t: EventTarget | null | undefined): boolean {
  if (!t || typeof (t as HTMLElement).tagName !== 'string') return false;
  const el = t as HTMLElement;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || el.isContentEditable) return true;
  if (tag !== 'input') return false;
  const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
  return !['checkbox', 'radio', 'button', 'submit', 'range', 'color'].includes(type);
}

/** The action a key press asks for, or null. Ctrl+Z inside a text field stays the field's own undo. */
export function actionFor(e: KeyLike): Action | null {
  const mod = e.ctrlKey || e.metaKey;
  if (!mod || e.altKey) return null;
  const k = e.key.toLowerCase();
  if (e.shiftKey) {
    if (k === 'l') return 'toggle-theme';
    if (k === 'b') return 'ab-test';
    // In a text field, Ctrl+Shift+C stays the field's (copy of the selected text).
    if (k === 'c') return isTextField(e.target) ? null : 'copy-chart';
    return null;
  }
  switch (k) {
    case 'o':
      return 'import';
    case 'n':
      return 'new-funnel';
    case 'e':
      return 'export';
    case 'k':
      return 'search';
    case 'z':
      return isTextField(e.target) ? null : 'undo';
    default:
      return null;
  }
}

/** "Ctrl+O" or "⌘O" depending on the platform. */
export function shortcutLabel(key: string, mac = isMac()): string {
  return mac ? `⌘${key.toUpperCase()}` : `Ctrl+${key.toUpperCase()}`;
}

export function isMac(): boolean {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
}
