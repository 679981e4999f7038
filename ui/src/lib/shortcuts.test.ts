import { describe, expect, it } from 'vitest';
import { actionFor, type KeyLike } from './shortcuts';

const key = (k: string, mods: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...mods,
});

describe('actionFor', () => {
  it('maps UI.md shortcuts with Ctrl or Cmd', () => {
    expect(actionFor(key('o', { ctrlKey: true }))).toBe('import');
    expect(actionFor(key('O', { metaKey: true }))).toBe('import');
    expect(actionFor(key('n', { ctrlKey: true }))).toBe('new-funnel');
    expect(actionFor(key('e', { ctrlKey: true }))).toBe('export');
    expect(actionFor(key('z', { ctrlKey: true }))).toBe('undo');
    expect(actionFor(key('k', { metaKey: true }))).toBe('search');
    expect(actionFor(key('L', { ctrlKey: true, shiftKey: true }))).toBe('toggle-theme');
    expect(actionFor(key('B', { ctrlKey: true, shiftKey: true }))).toBe('ab-test');
  });
  it('ignores plain keys and other combinations', () => {
    expect(actionFor(key('o'))).toBeNull();
    expect(actionFor(key('o', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(actionFor(key('x', { ctrlKey: true }))).toBeNull();
  });
  it('leaves Ctrl+Z to text fields', () => {
    const input = document.createElement('input');
    expect(actionFor(key('z', { ctrlKey: true, target: input }))).toBeNull();
    const box = document.createElement('input');
    box.type = 'checkbox';
    expect(actionFor(key('z', { ctrlKey: true, target: box }))).toBe('undo');
  });
});

describe('copy chart shortcut', () => {
  it('Ctrl/Cmd+Shift+C copies a chart, but not from inside a text field', () => {
    expect(actionFor(key('C', { ctrlKey: true, shiftKey: true }))).toBe('copy-chart');
    expect(actionFor(key('c', { metaKey: true, shiftKey: true }))).toBe('copy-chart');
    expect(actionFor(key('c', { ctrlKey: true }))).toBeNull();
    const input = document.createElement('input');
    expect(actionFor(key('c', { ctrlKey: true, shiftKey: true, target: input }))).toBeNull();
  });
});
