import { html, type Html } from '../html.js';
import type { ProjectView, TaskLine } from '../console-data.js';

const enc = encodeURIComponent;

export function projectsBody(projects: string[]): Html {
  return html`<h1>Projects</h1>
${projects.length === 0 ? html`<p>No queue in tasks/ (work_queue_&lt;project&gt;.json).</p>` : html`<ul>${projects.map((p) => html`<li><a href="/projects/${enc(p)}">${p}</a></li>`)}</ul>`}`;
}

function figures(t: TaskLine): string {
  const parts: string[] = [];
  if (t.totals?.cost_usd !== null && t.totals?.cost_usd !== undefined) parts.push(`$${t.totals.cost_usd.toFixed(4)}`);
  if (t.totals?.tokens) parts.push(`${t.totals.tokens} tokens`);
  return parts.join(' · ');
}

// One row a task; the data-task attribute is where the live status lands.
function taskRow(project: string, t: TaskLine): Html {
  const iterations = t.row ? t.row.iterations - t.row.base_iteration : 0;
  return html`<tr data-task="${t.spec.id}"><td><a href="/projects/${enc(project)}/tasks/${enc(t.spec.id)}">${t.spec.id}</a></td><td><span class="status status-${t.status}">${t.status}</span></td><td class="iterations">${iterations}</td><td>${t.spec.agentType}${t.spec.environment ? ` · ${t.spec.environment}` : ''}${t.spec.version ? ` · ${t.spec.version}` : ''}</td><td>${t.spec.description}</td><td>${figures(t)}</td></tr>`;
}

/** Rows shown at most on one page; the other waves are one line each (their counts follow live). */
export const MAX_ROWS = 300;

function counts(lines: Iterable<TaskLine>): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of lines) out.set(t.status, (out.get(t.status) ?? 0) + 1);
  return out;
}

// The counts of a wave (or the queue): each status in a span the live events keep true.
function countSpans(c: Map<string, number>): Html {
  const order = ['in_progress', 'awaiting_approval', 'blocked', 'failed', 'pending', 'skipped', 'complete'];
  return html`${order.map((s) => html`<span class="count status-${s}" data-count="${s}"${c.get(s) ? '' : html` hidden`}>${c.get(s) ?? 0}</span><span class="count-label" data-count-label="${s}"${c.get(s) ? '' : html` hidden`}> ${s} </span>`)}`;
}

/**
 * The queue as waves. A wave whose tasks are all complete is one line; the others show a row a
 * task, up to MAX_ROWS on the page (`?wave=N` shows one wave whole): a 10,000-task queue loads in
 * well under a second, and every status still arrives live (rows, and each wave's counts).
 */
export function projectBody(view: ProjectView, onlyWave?: number): Html {
  const head = html`<tr><th>task</th><th>status</th><th>iterations</th><th>agent</th><th>description</th><th>spent</th></tr>`;
  let budget = MAX_ROWS;
  const base = `/projects/${enc(view.project)}`;
  const waves = view.plan.waves
    .filter((w) => onlyWave === undefined || w.wave === onlyWave)
    .map((w) => {
      const lines = w.tasks.map((id) => view.tasks.get(id)).filter((t): t is TaskLine => t !== undefined);
      const c = counts(lines);
      const finished = (c.get('complete') ?? 0) === lines.length;
      const shown = onlyWave !== undefined || (!finished && budget >= lines.length) || (!finished && budget === MAX_ROWS);
      if (shown) budget -= lines.length;
      return html`<section class="wave" data-wave="${w.wave}"><h2>Wave ${w.wave} <small>${lines.length} tasks: ${countSpans(c)}</small>${shown ? '' : html` <a href="${base}?wave=${w.wave}">show its tasks</a>`}</h2>${shown ? html`<table>${head}${lines.map((t) => taskRow(view.project, t))}</table>` : ''}</section>`;
    });
  return html`<div data-events="${base}/events">
<h1>${view.project} <span class="live">connecting…</span></h1>
<p class="totals" data-wave="all">${view.file}: ${view.tasks.size} tasks: ${countSpans(counts(view.tasks.values()))}${onlyWave !== undefined ? html` · <a href="${base}">all waves</a>` : ''}</p>
${conflictsSection(view)}${elsewhereSection(view)}${waves}
</div>`;
}

// Machines' queue files that disagree on a task's definition: named as `status` names them, never settled here.
function conflictsSection(view: ProjectView): Html | string {
  if (view.conflicts.length === 0) return '';
  return html`<section class="conflicts"><h2>Queue conflicts between machines</h2><ul>${view.conflicts.map((c) => html`<li data-conflict="${c.task_id}">${c.message}</li>`)}</ul></section>`;
}

// Tasks in the database's queue that this machine's file does not have: the runners run them too.
function elsewhereSection(view: ProjectView): Html | string {
  if (view.elsewhere.length === 0) return '';
  const head = html`<tr><th>task</th><th>status</th><th>iterations</th><th>agent</th><th>description</th><th>spent</th></tr>`;
  const row = (t: TaskLine): Html =>
    html`<tr data-task="${t.spec.id}"><td>${t.spec.id}</td><td><span class="status status-${t.status}">${t.status}</span></td><td class="iterations">${t.row ? t.row.iterations - t.row.base_iteration : 0}</td><td>${t.spec.agentType}${t.spec.environment ? ` · ${t.spec.environment}` : ''}</td><td>${t.spec.description}</td><td>${figures(t)}</td></tr>`;
  return html`<section class="elsewhere"><h2>Added on another machine: not in this machine's file</h2><p>The runners run these too. Their gates are decided on a machine whose queue file has them (or here, once this file is brought up to date: <code>git pull</code>).</p><table>${head}${view.elsewhere.map(row)}</table></section>`;
}
