import type { Context, Hono } from 'hono';
import { decideTask, type DecideResult } from '../engine/decide-task.js';
import { loadWorkspaceQueue } from '../engine/load-workspace-queue.js';
import { InputError } from '../errors.js';
import { assertProjectName } from '../workspace/paths.js';
import type { ConsoleContext, ConsoleEnv } from './console-context.js';
import { layout } from './pages/layout.js';
import { messageBody } from './pages/other-pages.js';
import { consoleOsUser, refuseDecision, signatureNeeded, type ConsoleDecision } from './gate-view.js';

/**
 * The payload (the hidden field, exactly as the page showed it) and the pasted signature, or what
 * is missing. A browser sends a form's line breaks as CRLF: both are taken back to LF, as signed.
 */
export function givenSignature(form: Record<string, unknown>): { given: { payload: string; signature: string } } | string {
  const lf = (v: unknown): string => (typeof v === 'string' ? v.replace(/\r\n/g, '\n') : '');
  const payload = lf(form.payload);
  const signature = lf(form.signature).trim();
  if (payload === '') return 'the form carried no payload to verify: open the gate page again and sign what it shows';
  if (signature === '') return "no signature: run the command the gate page shows and paste what it prints (from '-----BEGIN SSH SIGNATURE-----' to '-----END SSH SIGNATURE-----')";
  return { given: { payload, signature: `${signature}\n` } };
}

/** A refused decision: the one line that says why, as a page. */
export function refusal(c: Context<ConsoleEnv>, status: 400 | 403, text: string): Response {
  return c.html(layout(status === 403 ? 'Refused' : 'Not possible', c.get('session'), messageBody(status === 403 ? 'Refused' : 'Not possible', text)), status);
}

const DECISIONS = new Set<ConsoleDecision>(['approve', 'reject', 'override']);

/**
 * A decision from the gate page: the server (never the page) checks who may make it, then the
 * engine records it exactly as `approve` / `reject` / `override` do, with the logged-in person as `by`.
 */
export function addDecisionRoutes(app: Hono<ConsoleEnv>, ctx: ConsoleContext): void {
  app.post('/projects/:project/tasks/:task/decide', async (c) => {
    const session = c.get('session');
    const project = assertProjectName(c.req.param('project'));
    const taskId = c.req.param('task');
    const form = await c.req.parseBody();
    const decision = String(form.decision ?? '') as ConsoleDecision;
    if (!DECISIONS.has(decision)) throw new InputError(`decision: expected approve, reject or override, not ${JSON.stringify(String(form.decision ?? ''))}`);
    const { contract, queue } = loadWorkspaceQueue(ctx.root, project);
    const task = queue.tasks.find((t) => t.id === taskId);
    if (!task) throw new InputError(`${queue.displayFile}: no task '${taskId}'`);
    const refused = await refuseDecision(contract, ctx.store, project, task, session.person, decision);
    if (refused) return c.text(`Forbidden: ${session.person} may not ${decision} ${taskId}: ${refused}`, 403);
    const signature = signatureNeeded(contract, task, decision) ? givenSignature(form) : undefined;
    if (typeof signature === 'string') return refusal(c, 400, `${taskId} is in a verified_approvals environment: ${signature}`);
    const why = String((decision === 'override' ? form.reason : form.comment) ?? '').trim() || undefined;
    if (decision === 'override' && (why?.length ?? 0) < 3) throw new InputError('override: a reason of 3 characters or more is required (it is recorded)');
    let result: DecideResult;
    try {
      result = await decideTask(ctx.root, project, taskId, decision, session.person, why, { actor: { osUser: consoleOsUser(session.person) }, ...(signature ? { signature } : {}) });
    } catch (e) {
      // The engine verified the signature and refused it (not the approver's key, over another decision, stale, replayed).
      if (signature && e instanceof InputError) return refusal(c, 403, e.message);
      throw e;
    }
    const verb = { approve: 'approved', reject: 'rejected', override: 'overridden' }[decision];
    const text = result.recorded ? `${verb} ${taskId} by ${session.person}${result.fingerprint ? ` (subject ${result.fingerprint})` : ''}: ${result.effect}` : result.effect;
    // Said once on the task's page (its box would be computed again for nothing: the decision is made).
    session.flash = { kind: result.recorded ? 'ok' : 'error', text };
    return c.redirect(`/projects/${encodeURIComponent(project)}/tasks/${encodeURIComponent(taskId)}`, 303);
  });
}
