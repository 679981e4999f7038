// The mapping screen after an import: each column's detected type and role,
// changed by the analyst, sent back as the engine's import overrides.

import type { ColumnInfo, ColumnType, DatasetInfo, ImportOverrides, ImportReport, Role } from './types';

export const ROLES: Role[] = ['user', 'session', 'time', 'event', 'page', 'value', 'item', 'dimension', 'metric'];
export const TYPES: ColumnType[] = ['text', 'integer', 'decimal', 'boolean', 'timestamp', 'date', 'duration'];

export const ROLE_HELP: Record<Role, string> = {
  user: 'who did it (user or client id)',
  session: 'the visit (session id)',
  time: 'when it happened',
  event: 'what happened (event name)',
  page: 'where (page path or screen)',
  value: 'money (revenue, order value)',
  item: 'what was bought or viewed',
  dimension: 'a property to filter and break down by',
  metric: 'a count to add up (metric tables)',
};

/** The shell may return reports or bare datasets; either way, one report-like value per file. */
export function asReport(x: DatasetInfo | ImportReport): { dataset: DatasetInfo; report: ImportReport | null } {
  return 'dataset' in x ? { dataset: x.dataset, report: x } : { dataset: x, report: null };
}

export interface ColumnChoice {
  name: string;
  type: ColumnType;
  role: Role | null;
}

export function choicesFrom(columns: ColumnInfo[]): ColumnChoice[] {
  return columns.map((c) => ({ name: c.name, type: c.type, role: c.role }));
}

/**
 * The overrides that turn `detected` into `chosen`: every role the analyst
 * set (`map`, as `--map ROLE=COLUMN`), every changed type, the time zone.
 * Null when nothing changed.
 */
export function overrides(
  detected: ColumnInfo[],
  chosen: ColumnChoice[],
  timeZone: string,
  detectedZone: string,
): ImportOverrides | null {
  const before = new Map(detected.map((c) => [c.name, c]));
  const changedRole = chosen.some((c) => before.get(c.name)?.role !== c.role);
  const types: [string, ColumnType][] = chosen
    .filter((c) => before.get(c.name)?.type !== c.type)
    .map((c) => [c.name, c.type]);
  const zone = timeZone.trim();
  const zoneChanged = zone !== '' && zone !== detectedZone;
  if (!changedRole && types.length === 0 && !zoneChanged) return null;
  const out: ImportOverrides = {
    // With any role changed, send the whole mapping so nothing is re-guessed differently.
    map: changedRole ? chosen.filter((c) => c.role !== null).map((c) => [c.role as Role, c.name]) : [],
    types,
  };
  if (zoneChanged) out.time_zone = zone;
  return out;
}

/**
 * The roles sent (`map`) that the re-read dataset does not have: `[role, column]` pairs.
 * Several columns may be dimensions (or metrics); each must come back with its role.
 */
export function lostRoles(map: [Role, string][], columns: ColumnInfo[]): [Role, string][] {
  const role = new Map(columns.map((c) => [c.name, c.role]));
  return map.filter(([r, name]) => role.get(name) !== r);
}

/** What a lost role means, in a sentence. */
export function lostRolesMessage(lost: [Role, string][]): string {
  const list = lost.map(([r, c]) => `${c} (${r})`).join(', ');
  return `The re-read did not keep every role you chose: ${list} came back without it. Set ${lost.length > 1 ? 'them' : 'it'} again and apply, or tell us if it keeps happening.`;
}

/** Whether the chosen roles make an event table, and what is missing if not. */
export function kindFor(chosen: ColumnChoice[]): { kind: 'events' | 'metrics'; hint: string } {
  const has = (r: Role) => chosen.some((c) => c.role === r);
  if (has('user') && has('time') && (has('event') || has('page')))
    return { kind: 'events', hint: 'One row per event: funnels count users (or sessions) through steps.' };
  const missing = (['user', 'time'] as Role[]).filter((r) => !has(r));
  if (!has('event') && !has('page')) missing.push('event');
  return {
    kind: 'metrics',
    hint: `A metric table (rows of counts). To make it an event table, mark the ${missing.join(', ')} column${missing.length > 1 ? 's' : ''}.`,
  };
}

/** A role may belong to one column only (dimension and metric excepted). */
export function setRole(chosen: ColumnChoice[], name: string, role: Role | null): ColumnChoice[] {
  const single = role !== null && role !== 'dimension' && role !== 'metric';
  return chosen.map((c) =>
    c.name === name ? { ...c, role } : single && c.role === role ? { ...c, role: null } : c,
  );
}
