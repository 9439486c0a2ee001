import { baseImage, readDockerfiles, type Instruction } from '../containers/read-dockerfile.js';
import { readComposeServices } from '../containers/read-compose.js';
import type { DraftFinding } from '../types.js';
import { listEvidence, quoteLine, type ReadinessRule } from './rule.js';

// Commands that run a development server: reloaders, watchers, debug servers.
const DEV_SERVER =
  /\bnodemon\b|\bts-node-dev\b|\b(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?(?:dev|start:dev|watch|serve:dev)\b|--watch\b|\bnest\s+start\s+--watch|\bnext\s+dev\b|\bvite\b(?!\s+build)|\bflask\s+run\b|\bmanage\.py\s+runserver\b|\buvicorn\b.*--reload\b|\bfastapi\s+dev\b|\bwebpack-dev-server\b|\bgunicorn\b.*--reload\b/;

// The image is what production runs: its base, its user, its command and its health.
export const dockerfileRule: ReadinessRule = {
  id: 'dockerfile',
  title: 'Production image (Dockerfile)',
  area: 'containers',
  impact: 'The image is what runs in production: its base, the user it runs as and the command it starts decide its attack surface and whether two builds of the same commit are the same.',
  run(ctx) {
    const dockerfiles = readDockerfiles(ctx.files);
    if (dockerfiles.length === 0) return { findings: [], notApplicable: 'no production Dockerfile' };
    const findings: DraftFinding[] = [];
    const composeHealth = readComposeServices(ctx.files).some((s) => s.healthcheck);
    const k8sProbes = ctx.files.files.some((f) => /\.ya?ml$/.test(f.rel) && !f.test && /\b(?:livenessProbe|readinessProbe)\s*:/.test(ctx.files.text(f)));
    const dev: string[] = [];
    const root: string[] = [];
    const unpinned: string[] = [];
    const noHealth: string[] = [];
    const shellChain: string[] = [];
    for (const d of dockerfiles) {
      const rel = d.file.rel;
      const run = d.final.filter((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
      for (const ins of run) if (DEV_SERVER.test(ins.args)) dev.push(quoteLine(rel, ins.line, ins.text));
      // Shell form with a chain: the server is a child of sh, which does not pass SIGTERM on.
      const last = run[run.length - 1];
      if (last && !last.args.startsWith('[') && /&&|;|\|/.test(last.args) && !/\bexec\s+\S+[^;&|]*$/.test(last.args)) shellChain.push(quoteLine(rel, last.line, last.text));
      const users = d.final.filter((i) => i.keyword === 'USER');
      const lastUser: Instruction | undefined = users[users.length - 1];
      const finalFrom = d.froms[d.froms.length - 1];
      // A reverse proxy's image (nginx, caddy) starts as root to bind its port and drops to workers itself.
      const nonRootBase = finalFrom ? /nonroot|distroless.*:nonroot|chainguard|bitnami|rootless|^(?:\S+\/)?(?:nginx|caddy|traefik|haproxy|httpd|envoyproxy\/envoy)(?::|\s|$)/i.test(finalFrom.args) : false;
      if ((!lastUser || /^(?:root|0)(?::|$)/.test(lastUser.args)) && !nonRootBase && run.length + d.final.length > 0) {
        root.push(lastUser ? quoteLine(rel, lastUser.line, lastUser.text) : `${rel}: no USER in the final stage (${finalFrom ? quoteLine(rel, finalFrom.line, finalFrom.text) : 'FROM'})`);
      }
      for (const from of d.froms) {
        const base = baseImage(from);
        if (!base || base.digest) continue;
        if (base.tag === null || base.tag === 'latest' || !/\d/.test(base.tag)) unpinned.push(quoteLine(rel, from.line, from.text));
      }
      if (!d.final.some((i) => i.keyword === 'HEALTHCHECK' && !/^NONE\b/i.test(i.args))) noHealth.push(rel);
    }
    const first = dockerfiles[0]?.file.rel ?? 'Dockerfile';
    if (dev.length > 0) {
      findings.push({
        rule: this.id,
        title: 'The production image runs a development server',
        severity: 'HIGH',
        location: dev[0]?.split(': ')[0] ?? first,
        effort: 'S',
        issue: 'A development server (file watcher, auto-reload, debug server) restarts on file changes, runs unoptimised code, may expose a debugger, and is not built for production traffic.',
        evidence: listEvidence(dev),
        recommendation: 'Start the production server in CMD: the built code with node (or pm2-runtime), gunicorn/uvicorn workers without --reload.',
        snippet: ctx.stack === 'django' ? 'CMD ["gunicorn", "project.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4"]' : ctx.stack === 'fastapi' ? 'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--workers", "4"]' : ctx.stack === 'flask' ? 'CMD ["gunicorn", "app:app", "--bind", "0.0.0.0:8000", "--workers", "4"]' : 'RUN npm ci && npm run build && npm prune --omit=dev\nCMD ["node", "dist/main.js"]',
      });
    }
    if (root.length > 0) {
      findings.push({
        rule: this.id,
        title: 'The production image runs as root',
        severity: 'MEDIUM',
        location: root[0]?.split(': ')[0] ?? first,
        effort: 'S',
        issue: 'A process running as root inside the container turns any code-execution bug into root in the container, and a step closer to the host.',
        evidence: listEvidence(root),
        recommendation: 'Create or use an unprivileged user and switch to it in the final stage.',
        snippet: ctx.stack === 'node' || ctx.stack === 'express' || ctx.stack === 'nestjs' || ctx.stack === 'fastify' ? 'USER node' : 'RUN useradd --create-home --uid 10001 app\nUSER app',
      });
    }
    if (unpinned.length > 0) {
      findings.push({
        rule: this.id,
        title: 'Base images are not pinned',
        severity: 'MEDIUM',
        location: unpinned[0]?.split(': ')[0] ?? first,
        effort: 'S',
        issue: 'A base image without a version (`latest`, `alpine`, no tag) changes under the build: two builds of the same commit can run different runtimes, and a rollback rebuilds something new.',
        evidence: listEvidence(unpinned),
        recommendation: 'Pin the runtime version in every FROM (and ideally the digest), and update it on purpose.',
        snippet: ctx.stack === 'node' || ctx.stack === 'express' || ctx.stack === 'nestjs' || ctx.stack === 'fastify' ? 'FROM node:22.11-alpine3.20' : 'FROM python:3.12.7-slim-bookworm',
      });
    }
    if (shellChain.length > 0) {
      findings.push({
        rule: this.id,
        title: 'The server does not receive SIGTERM (shell-form command chain)',
        severity: 'MEDIUM',
        area: 'error-handling',
        location: shellChain[0]?.split(': ')[0] ?? first,
        effort: 'S',
        issue: 'A shell-form CMD with `&&` or `;` runs the server as a child of /bin/sh, which does not pass SIGTERM on: at every deploy the container is killed after the grace period, cutting requests in flight.',
        evidence: listEvidence(shellChain),
        recommendation: 'Start the server in exec form (CMD ["node", "server.js"]), or end the script with `exec` so the server becomes PID 1; run migrations as their own step.',
        snippet: 'CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0"]',
      });
    }
    if (noHealth.length > 0 && !composeHealth && !k8sProbes) {
      findings.push({
        rule: this.id,
        title: 'No container health check',
        severity: 'LOW',
        location: noHealth[0] ?? first,
        effort: 'S',
        issue: 'Without a HEALTHCHECK (or a compose healthcheck / Kubernetes probe) the container counts as healthy as long as the process lives, even when it no longer answers.',
        evidence: `${noHealth.join(', ')}: no HEALTHCHECK in the final stage; no compose service has a healthcheck and no Kubernetes manifest has a liveness/readiness probe.`,
        recommendation: 'Add a HEALTHCHECK that calls the health endpoint (or a healthcheck in the compose file / probes in the manifests).',
        snippet: 'HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD wget -qO- http://127.0.0.1:${PORT:-8000}/health || exit 1',
      });
    }
    if (findings.length > 0) return { findings };
    return { findings: [], passed: `${dockerfiles.map((d) => d.file.rel).join(', ')}: pinned bases, a non-root USER, a production command` };
  },
};
