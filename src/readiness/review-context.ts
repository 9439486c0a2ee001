import { readDependencies, type Dependency } from './dependencies.js';
import { parseDocs, type DocSection } from './doc-sections.js';
import { indexImports, type ImportSite } from './imports.js';
import { ProjectFiles, type Language } from './project-files.js';
import { lineAt } from './source/lexed-source.js';
import { detectStack, type Stack } from './stack.js';
import type { ReviewInput } from './types.js';

// Packages that make a project an HTTP service.
const NPM_WEB_FRAMEWORKS = [
  'express', 'fastify', 'koa', '@hapi/hapi', 'hapi', 'restify', '@nestjs/core', '@nestjs/platform-express', 'next', 'nuxt',
  '@remix-run/node', '@remix-run/serve', '@sveltejs/kit', 'polka', 'micro', 'hono', '@feathersjs/feathers', '@loopback/core',
  'sails', '@adonisjs/core', 'connect', 'h3', 'elysia',
];
const PYTHON_WEB_FRAMEWORKS = [
  'django', 'flask', 'fastapi', 'starlette', 'aiohttp', 'tornado', 'sanic', 'bottle', 'falcon', 'pyramid', 'quart',
  'litestar', 'cherrypy', 'masonite', 'responder', 'robyn', 'blacksheep',
];
const WEB_FRAMEWORKS = [...NPM_WEB_FRAMEWORKS, ...PYTHON_WEB_FRAMEWORKS];

// Packages that make a project a long-running worker (it must stop cleanly too).
const WORKER_LIBRARIES = [
  'bullmq', 'bull', 'bee-queue', 'agenda', 'kafkajs', 'amqplib', 'node-cron', 'graphile-worker', 'pg-boss',
  'celery', 'rq', 'dramatiq', 'huey', 'arq', 'kombu', 'aiokafka', 'confluent-kafka', 'pika', 'apscheduler',
];

// Files that say the project is deployed as a running process.
const DEPLOY_MANIFEST = /^(?:Dockerfile(?:\..+)?|Containerfile|Procfile|(?:docker-)?compose(?:\.[\w-]+)?\.ya?ml|fly\.toml|app\.yaml|render\.yaml|railway\.(?:json|toml)|heroku\.yml)$/;

/** Everything the checks share: the files, the declared packages, the imports, the docs. */
export interface ReviewContext {
  input: ReviewInput;
  files: ProjectFiles;
  deps: Dependency[];
  imports: ImportSite[];
  docs: DocSection[];
  languages: Language[];
  /** Why the project is taken for a web app (`file:line: express`), or null. */
  webApp: string | null;
  /** Why it is taken for a long-running service, or null (a library, a CLI). */
  service: string | null;
  stack: Stack;
  /** Filled by the migrations check: which migrations were taken as pending, and why. */
  migrationState: { basis: string; pending: number; applied: number };
}

export async function createReviewContext(input: ReviewInput, projectPath: string): Promise<ReviewContext> {
  const files = new ProjectFiles(projectPath, input.budgetBytes);
  await files.prepare();
  const deps = readDependencies(files);
  const imports = indexImports(files);
  const docs = parseDocs(files);
  const languages = detectLanguages(files, deps);
  const webApp = detectWebApp(files, deps, imports) ?? (input.healthCheckConfigured ? 'the project file configures a health check' : null);
  const service = webApp ?? detectService(files, deps);
  const stack = detectStack(imports, deps, languages);
  const migrationState = { basis: 'no migrations found', pending: 0, applied: 0 };
  return { input, files, deps, imports, docs, languages, webApp, service, stack, migrationState };
}

export function findDependency(ctx: Pick<ReviewContext, 'deps'>, names: readonly string[], options: { dev?: boolean } = {}): Dependency | undefined {
  return ctx.deps.find((d) => names.includes(d.name) && (options.dev !== false || !d.dev));
}

function detectLanguages(files: ProjectFiles, deps: Dependency[]): Language[] {
  const found = new Set<Language>();
  for (const f of files.code()) if (f.language) found.add(f.language);
  if (deps.some((d) => d.ecosystem === 'npm')) found.add('javascript');
  if (deps.some((d) => d.ecosystem === 'python')) found.add('python');
  return [...found].sort();
}

function detectWebApp(files: ProjectFiles, deps: Dependency[], imports: ImportSite[]): string | null {
  const imported = imports.find((s) =>
    (s.file.language === 'python' ? PYTHON_WEB_FRAMEWORKS : NPM_WEB_FRAMEWORKS).includes(s.module.toLowerCase()),
  );
  if (imported) return `${imported.file.rel}:${imported.line}: imports ${imported.module}`;
  const declared = deps.find((d) => WEB_FRAMEWORKS.includes(d.name) && !d.dev);
  if (declared) return `${declared.location}: depends on ${declared.name}`;
  for (const file of files.code({ toolConfig: false })) {
    if (file.clientSide) continue;
    const source = files.lexed(file);
    const m = /\b(?:https?\.createServer|createServer|HTTPServer|ThreadingHTTPServer|Bun\.serve|uvicorn\.run|web\.run_app)\s*\(/.exec(source.code);
    if (m) return `${file.rel}:${lineAt(source, m.index)}: starts an HTTP server`;
  }
  return null;
}

function detectService(files: ProjectFiles, deps: Dependency[]): string | null {
  const worker = deps.find((d) => WORKER_LIBRARIES.includes(d.name) && !d.dev);
  if (worker) return `${worker.location}: depends on ${worker.name}`;
  const manifest = files.files.find((f) => !f.test && f.rel.split('/').length <= 3 && DEPLOY_MANIFEST.test(f.rel.slice(f.rel.lastIndexOf('/') + 1)));
  if (manifest) return `${manifest.rel}: deploys it as a running process`;
  return null;
}
