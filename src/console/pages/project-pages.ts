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

export function projectBody(view: ProjectView): Html {
  const head = html`<tr><th>task</th><th>status</th><th>iterations</th><th>agent</th><th>description</th><th>spent</th></tr>`;
  const waves = view.plan.waves.map(
    (w) => html`<section class="wave"><h2>Wave ${w.wave}</h2><table>${head}${w.tasks.map((id) => {
      const t = view.tasks.get(id);
      return t ? taskRow(view.project, t) : '';
    })}</table></section>`,
  );
  const counts = new Map<string, number>();
  for (const t of view.tasks.values()) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  return html`<div data-events="/projects/${enc(view.project)}/events">
<h1>${view.project} <span class="live">connecting…</span></h1>
<p>${view.file}: ${view.tasks.size} tasks (${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')})</p>
${waves}
</div>`;
}
