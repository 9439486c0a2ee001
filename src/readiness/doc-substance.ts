// What makes a document count: it belongs to this project, and it holds something to do.

// Trees whose documents are not this project's operating documents: session and agent logs,
// notes, release notes, vendored or generated copies, tests, examples, templates, issue forms.
const NOT_THE_PROJECTS =
  /(?:^|\/)(?:sessions?|session[-_]logs?|logs?|transcripts?|journals?|notes|scratch|drafts?|archives?|history|changelogs?|changes|releases?|release[-_]notes|news|vendor(?:ed)?|third[-_]party|external|node_modules|site-packages|tests?|__tests__|specs?|fixtures?|examples?|samples?|templates?|\.github|\.claude|\.cursor|\.aider\w*|\.codex|\.gemini|\.windsurf|\.devin|\.agents?|prompts?|tasks)\//i;
// Files that record what happened, not how to operate: changelogs, release notes, dated or session logs.
const RECORD_FILE =
  /^(?:changelog|changes|history|news|releases?|release[-_]notes|upgrading|migration[-_]guide|session[-_].*|.*[-_]session|.*\.log|\d{4}-\d{2}-\d{2}.*|claude|agents|gemini|copilot-instructions|progress|status[-_]report.*)(?:\.\w+)*$/i;

/** Does this document belong to the project's own operating documentation? */
export function isProjectDocument(rel: string): boolean {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  return !NOT_THE_PROJECTS.test(rel) && !RECORD_FILE.test(base);
}

// Headings of release notes: a version, a date, or "what's new".
const RELEASE_HEADING = /\bv?\d+\.\d+(?:\.\d+)?\b|\b\d{4}-\d{2}-\d{2}\b|\brelease notes?\b|\bwhat'?s new\b|\bchange ?log\b|\bchanges in\b|\bunreleased\b/i;

export function isReleaseHeading(title: string): boolean {
  return RELEASE_HEADING.test(title);
}

// A line that says nothing yet: TODO, TBD, FIXME, "coming soon", "fill in", "…".
const PLACEHOLDER = /^(?:[-*+]|\d+[.)])?\s*(?:\[[ x]\]\s*)?(?:todo|tbd|tba|fixme|xxx|wip|n\/a|coming soon|to be (?:written|done|defined|determined|added)|fill (?:this )?in|placeholder|lorem ipsum|\.\.\.|…)\b.*$|^(?:[-*+]|\d+[.)])\s*$/i;
// A shell command at the start of a line or inside backticks.
const COMMAND =
  /^(?:\$\s*|sudo\s+)?(?:git|docker(?:-compose)?|kubectl|helm|make|npm|npx|yarn|pnpm|node|python3?|pip|poetry|uv|alembic|flask|django-admin|gunicorn|uvicorn|\.\/manage\.py|manage\.py|pg_dump|pg_restore|psql|mysql|mysqldump|mongodump|mongorestore|redis-cli|aws|gcloud|az|terraform|ansible(?:-playbook)?|heroku|fly|flyctl|vercel|systemctl|service|supervisorctl|pm2|ssh|scp|rsync|curl|wget|cp|mv|ln|tar|bash|sh|\.\/[\w./-]+|knex|prisma|typeorm|sequelize|npx|flyway|liquibase|dbmate|goose|migrate|nest|bundle|rake|cap|sls|serverless|cdk|pulumi|kamal|caddy|nginx|certbot|crontab|tox|nox|pytest|celery|autonomous-loop)\b\s*\S/;

export interface Actionable {
  /** 1-based line in the file. */
  line: number;
  text: string;
}

/**
 * The lines of a section that tell someone what to do: commands (in a code block, after `$`, or
 * in backticks in a list item) and numbered steps of a few words. Placeholders never count.
 */
export function findActionable(body: string, firstLine: number): Actionable[] {
  const out: Actionable[] = [];
  const lines = body.split('\n');
  let fence: string | null = null;
  const numbered: Actionable[] = [];
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    const at = { line: firstLine + i, text: trimmed };
    const fenceMatch = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch?.[1]) {
      fence = fence === null ? fenceMatch[1].slice(0, 3) : trimmed.startsWith(fence) ? null : fence;
      continue;
    }
    if (!trimmed || PLACEHOLDER.test(trimmed)) continue;
    if (fence !== null || /^ {4,}\S|^\t\S/.test(line)) {
      if (!/^(?:#|\/\/|--)/.test(trimmed) && !/\b(?:todo|tbd|fixme)\b/i.test(trimmed) && /[A-Za-z]/.test(trimmed)) out.push(at);
      continue;
    }
    if (/^\$\s+\S/.test(trimmed) || /^\.\. code/.test(trimmed)) {
      out.push(at);
      continue;
    }
    const item = /^(?:[-*+]|\d+[.)]|#\.)\s+(.*)$/.exec(trimmed);
    if (!item?.[1]) continue;
    const inline = [...item[1].matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
    if (inline.some((c) => COMMAND.test(c.trim()))) {
      out.push(at);
      continue;
    }
    if (/^(?:\d+[.)]|#\.)\s/.test(trimmed) && item[1].split(/\s+/).filter((w) => /[A-Za-z]{2,}/.test(w)).length >= 3) numbered.push(at);
  }
  if (numbered.length >= 2) out.push(...numbered);
  return out.sort((a, b) => a.line - b.line);
}

/** Words of a section that are not placeholders. */
export function countSubstantiveWords(body: string): number {
  return body
    .split('\n')
    .filter((l) => !PLACEHOLDER.test(l.trim()))
    .join(' ')
    .split(/\s+/)
    .filter((w) => /[A-Za-z]{2,}/.test(w)).length;
}

/** The first actionable lines as evidence, `file:line: text`. */
export function quoteActionable(rel: string, lines: Actionable[], max = 4): string {
  const shown = lines.slice(0, max).map((l) => `${rel}:${l.line}: ${l.text.length > 120 ? `${l.text.slice(0, 117)}…` : l.text}`);
  return lines.length > max ? [...shown, `… and ${lines.length - max} more line(s)`].join('\n') : shown.join('\n');
}
