import { html, linesText, outputText, type Html } from '../html.js';
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
  /**
   * The approval (or override) must be signed (verified_approvals): the exact payload to sign and
   * the command that signs it, or why there is nothing to sign yet. Undefined: no signature needed.
   */
  signing: { payload: string; command: string } | { unavailable: string } | undefined;
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

/** The signing step of an approval or override: the command for this very subject, the payload carried back, the signature pasted. */
export function signedFields(signing: GateView['signing'], decision: string): Html {
  if (!signing || 'unavailable' in signing) return html``;
  const v = { signing };
  return html`<p class="notice sign">This ${decision} must be signed with your SSH key (the contract's verified_approvals), within the hour, once. Run this in a shell where your key is (another key file: change the path after -f; a key in ssh-agent: give its .pub file), then paste what it prints:</p>
<pre class="sign-command">${linesText(v.signing.command)}</pre>
<details><summary>The text you sign</summary><pre class="sign-payload">${linesText(v.signing.payload)}</pre></details>
<input type="hidden" name="payload" value="${linesText(v.signing.payload)}">
<label>Signature (-----BEGIN SSH SIGNATURE----- … -----END SSH SIGNATURE-----)<br><textarea name="signature" rows="8" required spellcheck="false" autocomplete="off"></textarea></label><br>`;
}

export function gateBody(session: Session, v: GateView): Html {
  const approve = v.refused
    ? html`<p class="notice refused">You (${session.person}) may not approve or override this: ${v.refused}</p>`
    : v.signing && 'unavailable' in v.signing
      ? html`<p class="notice refused sign-unavailable">This must be signed (verified_approvals), but there is nothing to sign yet: ${v.signing.unavailable}</p>`
      : v.agentBlocked
        ? form(session, v, 'override', `Override as ${session.person}`, html`${signedFields(v.signing, 'override')}<label>Reason (required, recorded)<br><input type="text" name="reason" required minlength="3"></label><br>`)
        : form(session, v, 'approve', `${v.signing ? 'Approve (signed)' : 'Approve'} as ${session.person}`, html`${signedFields(v.signing, 'approval')}<label>Comment (optional)<br><input type="text" name="comment"></label><br>`);
  const reject = v.agentBlocked ? html`` : form(session, v, 'reject', `Reject as ${session.person}`, html`<label>Comment (why)<br><input type="text" name="comment" required></label><br>`);
  return html`<div data-events="/projects/${enc(v.project)}/events">
<h1>Gate: <a href="/projects/${enc(v.project)}/tasks/${enc(v.taskId)}">${v.taskId}</a> <span class="live">connecting…</span></h1>
<p data-task="${v.taskId}">Status: <span class="status status-${v.status}">${v.status}</span></p>
${v.box ? html`<pre class="box"><strong>${v.box.title}</strong>

${outputText(v.box.lines.join('\n'))}</pre>` : html`<p>No gate applies to ${v.taskId} now.</p>`}
${v.box || v.agentBlocked ? html`<section class="decide">${approve}${reject}</section>` : ''}
</div>`;
}

export function gatesBody(project: string, waiting: { id: string; status: string; reason: string | null; elsewhere: boolean }[]): Html {
  // A task added on another machine has no gate page here (this machine's file lacks it): the CLI decides it.
  const task = (w: (typeof waiting)[number]): Html =>
    w.elsewhere ? html`${w.id} <small>added on another machine: decided where a queue file has it</small>` : html`<a href="/projects/${enc(project)}/tasks/${enc(w.id)}/gate">${w.id}</a>`;
  return html`<div data-events="/projects/${enc(project)}/events"><h1>Gates of ${project} waiting for a person <span class="live">connecting…</span></h1>
${waiting.length === 0 ? html`<p>Nothing waits for a person.</p>` : html`<table><tr><th>task</th><th>status</th><th>why</th></tr>${waiting.map((w) => html`<tr data-task="${w.id}"><td>${task(w)}</td><td><span class="status status-${w.status}">${w.status}</span></td><td>${w.reason ?? ''}</td></tr>`)}</table>`}</div>`;
}
