import path from 'node:path';
import type { MigrationReview } from './migration-review.js';

/** What is known of the migrations already applied to the environment, and from where. */
export interface AppliedMigrations {
  /** How it was decided, for the report: `migrate_status of production`, `changed since tag v1.2.0 (last deployed to production)`. */
  basis: string;
  /** Ids the project's `migrate_status` says are applied. */
  applied?: string[];
  /** Files (absolute) changed since the tag of the last deployed version: their migrations are pending. */
  changedFiles?: string[];
  /** Git history of the project (epoch seconds): files unchanged long before the newest commit were applied long ago. */
  fileHistory?: { newestCommit: number; lastChanged: Record<string, number> };
}

/** A migration unchanged this long before the newest commit has shipped in some release since. */
export const APPLIED_AFTER_DAYS = 90;

/** Could the review tell which migrations are pending? (false: every one was taken as pending.) */
export function pendingKnown(known: AppliedMigrations | undefined): boolean {
  return known !== undefined && (known.applied !== undefined || known.changedFiles !== undefined || known.fileHistory !== undefined);
}

/** The migrations still to apply; with nothing known, all of them (and the basis says so). */
export function selectPending(
  reviews: MigrationReview[],
  known: AppliedMigrations | undefined,
  root: string,
  readText: (rel: string) => string,
): { pending: MigrationReview[]; basis: string } {
  if (!known || (known.applied === undefined && known.changedFiles === undefined && known.fileHistory === undefined)) {
    return {
      pending: reviews,
      basis: `which of the ${reviews.length} migration(s) are pending is not known (${known?.basis ?? 'no migrate_status command, no tag of a deployed version, no git history'}): all taken as possibly pending, their findings rated two steps lower (check them against the database)`,
    };
  }
  if (known.applied === undefined && known.changedFiles === undefined && known.fileHistory) {
    const { newestCommit, lastChanged } = known.fileHistory;
    const cutoff = newestCommit - APPLIED_AFTER_DAYS * 86_400;
    const pending = reviews.filter((r) => {
      const at = lastChanged[r.file];
      return at === undefined || at > cutoff;
    });
    return { pending, basis: `${pending.length} of ${reviews.length} migration(s) taken as pending by file history: unchanged for ${APPLIED_AFTER_DAYS}+ days before the newest commit means applied long ago (${known.basis})` };
  }
  if (known.changedFiles !== undefined) {
    const changed = new Set(known.changedFiles.map((f) => path.resolve(f)));
    const pending = reviews.filter((r) => changed.has(path.resolve(root, r.file)));
    return { pending, basis: `${pending.length} of ${reviews.length} migration(s) pending: ${known.basis}` };
  }
  const applied = new Set(known.applied);
  const revisions = alembicGraph(reviews, readText);
  // `alembic current` names the head: everything below it is applied too.
  const closed = new Set(applied);
  const stack = [...applied];
  while (stack.length > 0) {
    const id = stack.pop() as string;
    for (const parent of revisions.get(id)?.parents ?? []) if (!closed.has(parent)) (closed.add(parent), stack.push(parent));
  }
  const pending = reviews.filter((r) => !identifiers(r, revisions).some((id) => closed.has(id) || [...applied].some((a) => a.endsWith(`/${id}`) || a.endsWith(`.${id}`))));
  return { pending, basis: `${pending.length} of ${reviews.length} migration(s) pending: ${known.basis}` };
}

function identifiers(review: MigrationReview, revisions: Map<string, { file: string; parents: string[] }>): string[] {
  const base = path.posix.basename(review.file === 'migration.sql' ? path.posix.dirname(review.file) : review.file);
  const folder = path.posix.basename(path.posix.dirname(review.file));
  const stem = base.replace(/\.(?:up|down)\.sql$|\.(?:sql|py|[cm]?[jt]s)$/, '');
  const ids = [stem, base];
  if (base === 'migration.sql') ids.push(folder);
  const flyway = /^[VU]([\d._]+)__/.exec(base);
  if (flyway?.[1]) ids.push(flyway[1], `V${flyway[1]}`);
  const number = /^(\d+)[_-]/.exec(base);
  if (number?.[1]) ids.push(number[1]);
  for (const [id, r] of revisions) if (r.file === review.file) ids.push(id);
  return ids;
}

function alembicGraph(reviews: MigrationReview[], readText: (rel: string) => string): Map<string, { file: string; parents: string[] }> {
  const out = new Map<string, { file: string; parents: string[] }>();
  for (const r of reviews) {
    if (r.kind !== 'alembic') continue;
    const text = readText(r.file);
    const id = /^\s*revision\s*(?::\s*str\s*)?=\s*['"](\w+)['"]/m.exec(text)?.[1];
    if (!id) continue;
    const parentLine = /^\s*down_revision\s*(?::[^=]+)?=\s*(.+)$/m.exec(text)?.[1] ?? '';
    out.set(id, { file: r.file, parents: [...parentLine.matchAll(/['"](\w+)['"]/g)].map((m) => m[1] ?? '') });
  }
  return out;
}
