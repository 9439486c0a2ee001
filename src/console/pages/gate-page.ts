import { html, outputText, type Html } from '../html.js';
import type { Session } from '../sessions.js';

const enc = encodeURIComponent;

export interface GateView {
  project: string;
  taskId: string;
  status: string;
  /** The gate's box (engine/gate-box-content.ts), or undefined when no gate applies now. */
  box: { title: string; lines: string[] } | undefined;
  /** Why this person may not approve or override (shown instead of those buttons). */
  refused: string | undefined;
  /** Approving here needs a signature the console cannot take: what to run instead. */
  signInstead: string | undefined;
  /** Blocked by its agent or a guardrail: override (with a reason) is the decision. */
  agentBlocked: boolean;
}

function form(session: Session, v: GateView, decision: string, label: string, field: Html): Html {
  return html`<form method="post" action="/projects/${enc(v.project)}/tasks/${enc(v.taskId)}/decide" class="decide-${decision}">
<input type="hidden" name="_csrf" value="${session.csrf}"><input type="hidden" name="decision" value="${decision}">
${field}
<button type="submit" name="submit" value="${decision}">${label}</button>
</form>`;
}

export function gateBody(session: Session, v: GateView): Html {
  const approve = v.refused
    ? html`<p class="notice refused">You (${session.person}) may not approve or override this: ${v.refused}</p>`
    : v.signInstead
      ? html`<p class="notice sign">This approval must be signed (verified_approvals): this console cannot take the signature; run in a terminal:</p><pre>${v.signInstead}</pre>`
      : v.agentBlocked
        ? form(session, v, 'override', `Override as ${session.person}`, html`<label>Reason (required, recorded)<br><input type="text" name="reason" required minlength="3"></label><br>`)
        : form(session, v, 'approve', `Approve as ${session.person}`, html`<label>Comment (optional)<br><input type="text" name="comment"></label><br>`);
  const reject = v.agentBlocked ? html`` : form(session, v, 'reject', `Reject as ${session.person}`, html`<label>Comment (why)<br><input type="text" name="comment" required></label><br>`);
  return html`<div data-events="/projects/${enc(v.project)}/events">
<h1>Gate: <a href="/projects/${enc(v.project)}/tasks/${enc(v.taskId)}">${v.taskId}</a> <span class="live">connecting…</span></h1>
<p data-task="${v.taskId}">Status: <span class="status status-${v.status}">${v.status}</span></p>
${v.box ? html`<pre class="box"><strong>${v.box.title}</strong>

${outputText(v.box.lines.join('\n'))}</pre>` : html`<p>No gate applies to ${v.taskId} now.</p>`}
${v.box || v.agentBlocked ? html`<section class="decide">${approve}${reject}</section>` : ''}
</div>`;
}

export function gatesBody(project: string, waiting: { id: string; status: string; reason: string | null }[]): Html {
  return html`<div data-events="/projects/${enc(project)}/events"><h1>Gates of ${project} waiting for a person <span class="live">connecting…</span></h1>
${waiting.length === 0 ? html`<p>Nothing waits for a person.</p>` : html`<table><tr><th>task</th><th>status</th><th>why</th></tr>${waiting.map((w) => html`<tr data-task="${w.id}"><td><a href="/projects/${enc(project)}/tasks/${enc(w.id)}/gate">${w.id}</a></td><td><span class="status status-${w.status}">${w.status}</span></td><td>${w.reason ?? ''}</td></tr>`)}</table>`}</div>`;
}
