import type { Hono } from 'hono';
import { decideTask } from '../engine/decide-task.js';
import { loadWorkspaceQueue } from '../engine/load-workspace-queue.js';
import { InputError } from '../errors.js';
import { assertProjectName } from '../workspace/paths.js';
import type { ConsoleContext, ConsoleEnv } from './console-context.js';
import { consoleOsUser, refuseDecision, signatureNeeded, type ConsoleDecision } from './gate-view.js';

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
    const sign = signatureNeeded(contract, ctx.root, project, task, session.person, decision);
    if (sign) return c.text(`Forbidden: ${taskId} is in a verified_approvals environment: the ${decision} needs a signature, which this console cannot take yet; run: ${sign}`, 403);
    const why = String((decision === 'override' ? form.reason : form.comment) ?? '').trim() || undefined;
    if (decision === 'override' && (why?.length ?? 0) < 3) throw new InputError('override: a reason of 3 characters or more is required (it is recorded)');
    const result = await decideTask(ctx.root, project, taskId, decision, session.person, why, { actor: { osUser: consoleOsUser(session.person) } });
    const verb = { approve: 'approved', reject: 'rejected', override: 'overridden' }[decision];
    const text = result.recorded ? `${verb} ${taskId} by ${session.person}${result.fingerprint ? ` (subject ${result.fingerprint})` : ''}: ${result.effect}` : result.effect;
    // Said once on the task's page (its box would be computed again for nothing: the decision is made).
    session.flash = { kind: result.recorded ? 'ok' : 'error', text };
    return c.redirect(`/projects/${encodeURIComponent(project)}/tasks/${encodeURIComponent(taskId)}`, 303);
  });
}
