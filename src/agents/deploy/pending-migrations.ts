import path from 'node:path';
import type { MigrationCheck } from '../../guardrails/index.js';

/** One migration that a migration run would apply, as the person approving it sees it. */
export interface PendingMigration {
  id: string;
  /** The up file (or Alembic revision file) the validator read; undefined when none matched the id. */
  file?: string;
  reversible: boolean | undefined;
  /** Unsuppressed findings of the migration, upgrade and downgrade, `SEVERITY rule: message (file:line)`. */
  findings: string[];
  /** The worst unsuppressed severity among them. */
  worst?: string;
}

const ORDER = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

/**
 * The pending ids migrate_status lists, matched to the validator's checks by file name (an up file
 * `004_x.up.sql`, a Flyway `V4__x.sql`, an Alembic revision id) so each carries its findings.
 */
export function describePending(pending: readonly string[], checks: readonly MigrationCheck[]): PendingMigration[] {
  return pending.map((id) => {
    const check = checks.find((c) => matches(id, c));
    if (!check) return { id, reversible: undefined, findings: [] };
    const open = check.findings.filter((f) => !f.suppressed).sort((a, b) => ORDER.indexOf(a.severity) - ORDER.indexOf(b.severity));
    return {
      id,
      file: check.file,
      reversible: check.reversible,
      findings: open.map((f) => `${f.severity} ${f.rule}${f.direction === 'downgrade' ? ' (down)' : ''}: ${f.message} (${path.basename(f.file)}:${f.line})`),
      ...(open[0] ? { worst: open[0].severity } : {}),
    };
  });
}

function matches(id: string, check: MigrationCheck): boolean {
  if (check.version !== undefined && check.version === id) return true;
  const base = path.basename(check.file);
  const stem = base.replace(/(\.up|\.down)?\.(sql|py)$/i, '');
  return stem === id || base.startsWith(`${id}.`) || base.startsWith(`${id}_`);
}

/** Lines for the box: one a migration, its findings indented under it. */
export function formatPending(list: readonly PendingMigration[]): string[] {
  const out: string[] = [];
  for (const m of list) {
    const undo = m.reversible === undefined ? 'reversible: unknown (no file matched)' : m.reversible ? 'reversible' : 'NOT reversible';
    out.push(`${m.id}  ${undo}${m.findings.length === 0 ? '  no findings' : ''}`);
    for (const f of m.findings.slice(0, 6)) out.push(`    ${f}`);
    if (m.findings.length > 6) out.push(`    ... and ${m.findings.length - 6} more`);
  }
  return out;
}
