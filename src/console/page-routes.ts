import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { iterationLogPath } from '../engine/iteration-log.js';
import type { IterationWithMetrics } from '../state/store.js';
import { assertProjectName, resolveWorkspace } from '../workspace/paths.js';
import { listProjects, readDecisions, readEnvironments, readProject, readQueue, readTask } from './console-data.js';
import type { ConsoleContext, ConsoleEnv } from './console-context.js';
import { readGate } from './gate-view.js';
import { gateBody, gatesBody } from './pages/gate-page.js';
import { layout } from './pages/layout.js';
import { environmentsBody, messageBody } from './pages/other-pages.js';
import { projectBody, projectsBody } from './pages/project-pages.js';
import { decisionsTable, taskBody, taskLivePart } from './pages/task-page.js';
import { html } from './html.js';

const LOG_TAIL_BYTES = 16 * 1024;

/** The last bytes of the latest iteration's log (`logs` reads the same file), or undefined. */
function logTail(root: string, last: IterationWithMetrics | undefined): string | undefined {
  if (!last) return undefined;
  const file = path.join(resolveWorkspace(root).aibrainDir, last.log_file ?? iterationLogPath(last.run_id, last.task_id, last.n));
  if (!existsSync(file)) return undefined;
  const size = statSync(file).size;
  const from = Math.max(0, size - LOG_TAIL_BYTES);
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - from);
    const read = readSync(fd, buffer, 0, buffer.length, from);
    const text = buffer.subarray(0, read).toString('utf8');
    return from > 0 ? `… (the first ${from} bytes: 'autonomous-loop logs ${last.task_id}')\n${text.slice(text.indexOf('\n') + 1)}` : text;
  } finally {
    closeSync(fd);
  }
}

/** Each task's wave: a status event says it, so a page updates the counts of waves it shows as one line. */
function waveIndex(root: string, project: string): Map<string, number> {
  const index = new Map<string, number>();
  for (const w of readQueue(root, project).plan().waves) for (const id of w.tasks) index.set(id, w.wave);
  return index;
}

/** The pages a logged-in person reads, and the live status events. */
export function addPageRoutes(app: Hono<ConsoleEnv>, ctx: ConsoleContext): void {
  const project = (p: string): string => assertProjectName(p);

  app.get('/', (c) => c.html(layout('Projects', c.get('session'), projectsBody(listProjects(ctx.root)))));

  app.get('/decisions', async (c) => c.html(layout('Decisions', c.get('session'), html`<h1>Decisions</h1>${decisionsTable(await readDecisions(ctx.store), true)}`)));

  app.get('/projects/:project', async (c) => {
    const p = project(c.req.param('project'));
    const wave = Number(c.req.query('wave'));
    return c.html(layout(p, c.get('session'), projectBody(await readProject(ctx.root, ctx.store, p), Number.isInteger(wave) && wave > 0 ? wave : undefined), { project: p }));
  });

  app.get('/projects/:project/events', (c) => {
    const p = project(c.req.param('project'));
    const waveOf = waveIndex(ctx.root, p);
    const inFile = readQueue(ctx.root, p).queue.fileStatus;
    return streamSSE(c, async (stream) => {
      const stop = await ctx.live.follow(p, (changes) => {
        // A task with no row before: the page counted it by the queue file's status.
        const data = JSON.stringify(changes.map((ch) => ({ ...ch, from: ch.from ?? inFile.get(ch.id) ?? 'pending', wave: waveOf.get(ch.id) ?? null })));
        void stream.writeSSE({ event: 'status', data }).catch(() => undefined);
      });
      stream.onAbort(stop);
      await stream.writeSSE({ event: 'ready', data: '' });
      while (!stream.aborted && !stream.closed) await stream.sleep(15_000).then(() => stream.writeSSE({ event: 'ping', data: '' }));
      stop();
    });
  });

  app.get('/projects/:project/gates', async (c) => {
    const p = project(c.req.param('project'));
    const view = await readProject(ctx.root, ctx.store, p);
    const elsewhere = new Set(view.elsewhere.map((t) => t.spec.id));
    const waiting = [...view.tasks.values(), ...view.elsewhere]
      .filter((t) => t.status === 'awaiting_approval' || t.status === 'blocked')
      .map((t) => ({ id: t.spec.id, status: t.status, reason: t.row?.reason ?? null, elsewhere: elsewhere.has(t.spec.id) }));
    return c.html(layout(`Gates of ${p}`, c.get('session'), gatesBody(p, waiting), { project: p }));
  });

  app.get('/projects/:project/environments', async (c) => {
    const p = project(c.req.param('project'));
    return c.html(layout(`Environments of ${p}`, c.get('session'), environmentsBody(p, await readEnvironments(ctx.store, p)), { project: p }));
  });

  app.get('/projects/:project/decisions', async (c) => {
    const p = project(c.req.param('project'));
    return c.html(layout(`Decisions of ${p}`, c.get('session'), html`<h1>Decisions of ${p}</h1>${decisionsTable(await readDecisions(ctx.store, p), true)}`, { project: p }));
  });

  app.get('/projects/:project/tasks/:task', async (c) => {
    const p = project(c.req.param('project'));
    const view = await readTask(ctx.root, ctx.store, p, c.req.param('task'));
    if (!view) return c.html(layout('No such task', c.get('session'), messageBody('No such task', `${p} has no task ${c.req.param('task')}`), { project: p }), 404);
    const session = c.get('session');
    const flash = session.flash;
    delete session.flash;
    return c.html(layout(view.line.spec.id, session, taskBody(p, view, logTail(ctx.root, view.iterations.at(-1)), flash), { project: p }));
  });

  app.get('/projects/:project/tasks/:task/live', async (c) => {
    const p = project(c.req.param('project'));
    const view = await readTask(ctx.root, ctx.store, p, c.req.param('task'));
    if (!view) return c.text('no such task', 404);
    return c.html(taskLivePart(p, view, logTail(ctx.root, view.iterations.at(-1))).text);
  });

  app.get('/projects/:project/tasks/:task/gate', async (c) => {
    const p = project(c.req.param('project'));
    const session = c.get('session');
    const view = await readGate(ctx.root, ctx.store, p, c.req.param('task'), session.person);
    if (!view) return c.html(layout('No such task', session, messageBody('No such task', `${p} has no task ${c.req.param('task')}`), { project: p }), 404);
    return c.html(layout(`Gate ${view.taskId}`, session, gateBody(session, view), { project: p }));
  });
}
