// Recent workspaces in the sidebar footer.

/** "Client A" for "/home/a/Client A.stepwise". */
export function workspaceLabel(path: string): string {
  const base = path.split(/[\\/]/).filter(Boolean).pop() ?? path;
  return base.replace(/\.stepwise$/, '') || path;
}

/** The recent workspaces other than the open one, most recent first, at most `max`. */
export function otherWorkspaces(recent: readonly string[], current: string | null, max = 7): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of recent) {
    if (!p || p === current || seen.has(p)) continue;
    seen.add(p);
    out.push(p);
    if (out.length >= max) break;
  }
  return out;
}

/**
 * Labels for a list of workspaces: the file name, and where two share a
 * name, the folder too ("workspace — Client A"), so every entry can be told
 * apart at a glance (the full path is the tooltip).
 */
export function workspaceLabels(paths: readonly string[]): string[] {
  const names = paths.map(workspaceLabel);
  return paths.map((p, i) => {
    if (names.filter((n) => n === names[i]).length < 2) return names[i];
    const parts = p.split(/[\\/]/).filter(Boolean);
    const folder = parts.length >= 2 ? parts[parts.length - 2] : '';
    return folder ? `${names[i]} — ${folder}` : names[i];
  });
}
