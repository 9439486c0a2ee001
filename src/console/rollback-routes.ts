import type { Hono } from 'hono';
import { decideTask } from '../engine/decide-task.js';
import { decisionPayload } from '../engine/decision-payload.js';
import { loadWorkspaceQueue } from '../engine/load-workspace-queue.js';
import { InputError } from '../errors.js';
import { refuseApprover } from '../gates/approval-gate.js';
import { needsSignature } from '../gates/signed-approval.js';
import { describeVersionProblem } from '../queue/check-version.js';
import { normalizeEnvironment, type Environment } from '../workspace/environment.js';
import { assertProjectName } from '../workspace/paths.js';
import type { ConsoleContext, ConsoleEnv } from './console-context.js';
import { givenSignature, refusal } from './decision-routes.js';
import { consoleOsUser } from './gate-view.js';
import { html } from './html.js';
import { signedFields } from './pages/gate-page.js';
import { layout } from './pages/layout.js';

const enc = encodeURIComponent;

/** The environment and version a rollback request names (the environments page's form), checked. */
function target(env: unknown, to: unknown): { environment: Environment; version: string; id: string } {
  const environment = normalizeEnvironment(String(env ?? ''));
  if (!environment) throw new InputError(`env: '${String(env ?? '')}' is not an environment (development, staging, production)`);
  const version = String(to ?? '').trim();
  const problem = describeVersionProblem('to', version);
  if (problem) throw new InputError(problem);
  return { environment, version, id: `ROLLBACK-${environment}-${version}` };
}

/** Who may request (approve) rolling production back: the contract's approvers, as for any production decision. */
function refuse(root: string, project: string, environment: Environment, person: string): string | undefined {
  if (environment !== 'production') return undefined;
  const { contract } = loadWorkspaceQueue(root, project);
  return refuseApprover(contract, { by: person, osUser: consoleOsUser(person) })?.replace('may not approve production', 'may not roll back production');
}

/**
 * A rollback request from the environments page: approved like any production decision (the
 * approvers; signed where verified_approvals says so), recorded as `approve ROLLBACK-env-version`
 * is at the CLI; `autonomous-loop rollback --env … --to …` then runs it, once.
 */
export function addRollbackRoutes(app: Hono<ConsoleEnv>, ctx: ConsoleContext): void {
  app.get('/projects/:project/rollback', async (c) => {
    const session = c.get('session');
    const p = assertProjectName(c.req.param('project'));
    const t = target(c.req.query('env'), c.req.query('to'));
    const refused = refuse(ctx.root, p, t.environment, session.person);
    const { contract } = loadWorkspaceQueue(ctx.root, p);
    const signing = !refused && needsSignature(contract, t.environment) ? await decisionPayload(ctx.root, p, t.id, 'approve', session.person) : undefined;
    const body = html`<h1>Roll back ${t.environment} to ${t.version}</h1>
<p>A request, approved like any ${t.environment} decision: once approved, <code>autonomous-loop rollback --project ${p} --env ${t.environment} --to ${t.version}</code> runs it (once).</p>
${refused
  ? html`<p class="notice refused">You (${session.person}) may not request this: ${refused}</p>`
  : html`<section class="decide"><form method="post" action="/projects/${enc(p)}/rollback" class="decide-rollback">
<input type="hidden" name="_csrf" value="${session.csrf}"><input type="hidden" name="env" value="${t.environment}"><input type="hidden" name="to" value="${t.version}">
${signedFields(signing ? { payload: signing.payload, command: signing.command } : undefined, 'rollback approval')}
<label>Why (recorded)<br><input type="text" name="comment" required minlength="3"></label><br>
<button type="submit">Approve the rollback as ${session.person}</button></form></section>`}`;
    return c.html(layout(`Roll back ${t.environment}`, session, body, { project: p }));
  });

  app.post('/projects/:project/rollback', async (c) => {
    const session = c.get('session');
    const p = assertProjectName(c.req.param('project'));
    const form = await c.req.parseBody();
    const t = target(form.env, form.to);
    const refused = refuse(ctx.root, p, t.environment, session.person);
    if (refused) return c.text(`Forbidden: ${session.person} may not roll back ${t.environment}: ${refused}`, 403);
    const { contract } = loadWorkspaceQueue(ctx.root, p);
    const signature = needsSignature(contract, t.environment) ? givenSignature(form) : undefined;
    if (typeof signature === 'string') return refusal(c, 400, `${t.environment} is in verified_approvals: ${signature}`);
    const comment = String(form.comment ?? '').trim();
    if (comment.length < 3) throw new InputError('comment: say why (3 characters or more; it is recorded)');
    try {
      const result = await decideTask(ctx.root, p, t.id, 'approve', session.person, comment, { actor: { osUser: consoleOsUser(session.person) }, ...(signature ? { signature } : {}) });
      return c.html(layout(`Roll back ${t.environment}`, session, html`<h1>Roll back ${t.environment} to ${t.version}</h1><p class="notice" id="result">approved ${t.id} by ${session.person}: ${result.effect}</p><p><a href="/projects/${enc(p)}/environments">Environments</a></p>`, { project: p }));
    } catch (e) {
      if (signature && e instanceof InputError) return refusal(c, 403, e.message);
      throw e;
    }
  });
}
