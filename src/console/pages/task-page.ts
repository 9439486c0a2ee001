import { html, outputText, type Html } from '../html.js';
import type { TaskView } from '../console-data.js';
import type { DecisionRecord } from '../../records/decision-record.js';

const enc = encodeURIComponent;

export function decisionsTable(decisions: DecisionRecord[], showTask: boolean): Html {
  if (decisions.length === 0) return html`<p>No decisions on record.</p>`;
  return html`<table><tr><th>when</th>${showTask ? html`<th>project / task</th>` : ''}<th>decision</th><th>by</th><th>os user</th><th>environment</th><th>version</th><th>reason</th></tr>
${decisions.map(
  (d) =>
    html`<tr class="decision"><td>${d.timestamp}</td>${showTask ? html`<td>${d.project} / ${d.task_id ? html`<a href="/projects/${enc(d.project)}/tasks/${enc(d.task_id)}">${d.task_id}</a>` : '—'}</td>` : ''}<td>${d.decision}</td><td class="by">${d.by}</td><td>${d.os_user}</td><td>${d.environment ?? ''}</td><td>${d.version ?? ''}</td><td>${d.reason ?? ''}</td></tr>`,
)}</table>`;
}

/** The parts of a task page that change while it runs: status, iterations, output. */
export function taskLivePart(project: string, view: TaskView, logTail: string | undefined): Html {
  const { line, iterations } = view;
  const running = iterations.some((i) => i.state === 'running');
  const tokens = (i: { input_tokens: number | null; output_tokens: number | null }): string => (i.input_tokens === null && i.output_tokens === null ? '' : String((i.input_tokens ?? 0) + (i.output_tokens ?? 0)));
  return html`<div id="live-part"${running ? html` data-running="1"` : ''}>
<p data-task="${line.spec.id}">Status: <span class="status status-${line.status}">${line.status}</span> · iterations <span class="iterations">${line.row ? line.row.iterations - line.row.base_iteration : 0}</span> of ${line.spec.maxIterations}${line.row?.reason ? html` · ${line.row.reason}` : ''}</p>
${line.row?.last_error ? html`<p class="error">Last error: ${line.row.last_error}</p>` : ''}
${line.status === 'awaiting_approval' || line.status === 'blocked' ? html`<p><a href="/projects/${enc(project)}/tasks/${enc(line.spec.id)}/gate">Open the gate →</a></p>` : ''}
<h2>Iterations</h2>
${iterations.length === 0 ? html`<p>None yet.</p>` : html`<table><tr><th>#</th><th>run</th><th>state</th><th>verdict</th><th>cost</th><th>tokens</th><th>time</th><th>stop</th></tr>
${iterations.map((i) => html`<tr><td>${i.n}</td><td>${i.run_id}</td><td>${i.state}</td><td>${i.verdict ?? ''}${i.promise_met ? ' (promise kept)' : ''}</td><td>${i.cost_usd === null ? '' : `$${i.cost_usd.toFixed(4)}`}</td><td>${tokens(i)}</td><td>${(i.duration_ms / 1000).toFixed(1)} s</td><td>${i.stop_reason ?? i.error ?? ''}</td></tr>`)}</table>`}
${iterations.filter((i) => i.output_tail).slice(-3).map((i) => html`<h2>Output of iteration ${i.n} (tail)</h2><pre class="output">${outputText(i.output_tail)}</pre>`)}
${logTail !== undefined ? html`<h2>Log of iteration ${iterations.at(-1)?.n ?? ''}${running ? ' (live)' : ''}</h2><pre class="log">${outputText(logTail)}</pre>` : ''}
</div>`;
}

export function taskBody(project: string, view: TaskView, logTail: string | undefined, message?: { kind: 'ok' | 'error'; text: string }): Html {
  const s = view.line.spec;
  return html`<div data-events="/projects/${enc(project)}/events" data-task-id="${s.id}">
<h1>${s.id} <span class="live">connecting…</span></h1>
${message ? html`<p class="${message.kind}" id="result">${message.text}</p>` : ''}
<p class="description">${s.description}</p>
<p>${s.agentType}${s.environment ? ` · ${s.environment}` : ''}${s.version ? ` · version ${s.version}` : ''}${s.dependsOn.length ? ` · after ${s.dependsOn.join(', ')}` : ''}</p>
${taskLivePart(project, view, logTail)}
<h2>Decisions</h2>
${decisionsTable(view.decisions.slice().reverse(), false)}
</div>`;
}
