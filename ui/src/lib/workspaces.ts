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
