import { html, type Html } from '../html.js';
import type { EnvironmentsView } from '../console-data.js';

export function environmentsBody(project: string, view: EnvironmentsView): Html {
  return html`<h1>Environments of ${project}</h1>
${view.states.length === 0 ? html`<p>Nothing deployed yet.</p>` : html`<table><tr><th>environment</th><th>state</th><th>version answering</th><th>last good</th><th>last attempt</th><th>why</th></tr>
${view.states.map((e) => html`<tr class="env-${e.environment}"><td>${e.environment}</td><td>${e.state}</td><td>${e.version ?? '—'}</td><td>${e.last_good ?? '—'}</td><td>${e.last_attempt ? `${e.last_attempt.version} ${e.last_attempt.status} at ${e.last_attempt.at} (${e.last_attempt.task_id})` : '—'}</td><td>${e.reason ?? ''}</td></tr>`)}</table>`}
<h2>Deployment history</h2>
${view.deployments.length === 0 ? html`<p>No deployments on record.</p>` : html`<table><tr><th>completed</th><th>kind</th><th>environment</th><th>version</th><th>status</th><th>task</th><th>approved by</th><th>errors</th></tr>
${view.deployments.map((d) => html`<tr><td>${d.completed_at}</td><td>${d.kind ?? 'deployment'}</td><td>${d.environment}</td><td>${d.version}</td><td>${d.status}</td><td>${d.task_id}</td><td>${d.approved_by ?? ''}</td><td>${d.errors.join('; ')}</td></tr>`)}</table>`}`;
}

export function loginBody(csrf: string, message?: string): Html {
  return html`<h1>Log in</h1>
${message ? html`<p class="error" id="login-error">${message}</p>` : ''}
<form method="post" action="/login" class="login">
<input type="hidden" name="_csrf" value="${csrf}">
<label>Your token (from 'autonomous-loop token create --for &lt;you&gt;')<br><input type="password" name="token" autocomplete="off" required size="70"></label>
<button type="submit">Log in</button>
</form>`;
}

export function messageBody(title: string, text: string): Html {
  return html`<h1>${title}</h1><p class="error" id="message">${text}</p><p><a href="/">Back to the projects</a></p>`;
}
