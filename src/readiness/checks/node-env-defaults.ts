import { collectEnvReads } from '../env/collect-env-reads.js';
import type { ReviewContext } from '../review-context.js';
import type { DraftFinding } from '../types.js';
import { quoteLine } from './rule.js';

const DEBUG_NAME = /^(?:[A-Z0-9]+_)*DEBUG(?:_MODE)?$/;
const ON = /^(?:true|1|yes|on|\*)$/i;
const DEVELOPMENT = /^(?:development|dev|local)$/i;
// Deployment files that set NODE_ENV=production for the running service.
const DEPLOY_FILE = /(?:^|\/)(?:Dockerfile[^/]*|[^/]*\.Dockerfile|Procfile|[^/]*compose[^/]*\.ya?ml|ecosystem\.config\.[cm]?js|app\.json|fly\.toml|render\.ya?ml|\.env\.production|package\.json|[^/]*\.ya?ml)$/;
const SETS_PRODUCTION = /NODE_ENV\s*[=:]\s*["']?production\b|["']NODE_ENV["']\s*:\s*["']production["']|name:\s*NODE_ENV\s*\n\s*value:\s*["']?production/;

/**
 * Node reads whose defaults turn on debugging in production: `process.env.APP_DEBUG || 'true'`, and
 * `process.env.NODE_ENV || 'development'` when nothing the deployment runs sets NODE_ENV=production.
 */
export function nodeDebugDefaults(ctx: ReviewContext): DraftFinding[] {
  const reads = collectEnvReads(ctx.files).filter((r) => r.file.language === 'javascript' && !r.file.clientSide && !r.file.test && r.defaultValue !== undefined);
  const findings: DraftFinding[] = [];
  const text = (r: (typeof reads)[number]): string => quoteLine(r.file.rel, r.line, ctx.files.text(r.file).split('\n')[r.line - 1]?.trim() ?? '');
  const debug = reads.filter((r) => DEBUG_NAME.test(r.name) && ON.test(r.defaultValue ?? ''));
  if (debug[0]) {
    findings.push({
      rule: 'insecure-defaults',
      title: 'Debug is on unless the environment turns it off',
      severity: 'HIGH',
      location: `${debug[0].file.rel}:${debug[0].line}`,
      effort: 'S',
      issue: 'A debug flag that defaults to on is on in production the day the variable is missing: debug output, stack traces and debug routes reach users.',
      evidence: debug.map(text).join('\n'),
      recommendation: 'Default the flag to off (`process.env.APP_DEBUG === \'true\'`) and turn it on in development only.',
    });
  }
  const nodeEnv = reads.filter((r) => r.name === 'NODE_ENV' && DEVELOPMENT.test(r.defaultValue ?? ''));
  const setBy = ctx.files.files.find((f) => !f.test && !f.toolConfig && DEPLOY_FILE.test(f.rel) && SETS_PRODUCTION.test(ctx.files.text(f)));
  if (nodeEnv[0] && !setBy) {
    findings.push({
      rule: 'insecure-defaults',
      title: 'NODE_ENV defaults to development',
      severity: 'MEDIUM',
      location: `${nodeEnv[0].file.rel}:${nodeEnv[0].line}`,
      effort: 'S',
      issue: 'Without NODE_ENV the service takes itself for a development one: Express and most libraries then send stack traces, skip view caching and load development settings; nothing the deployment files run sets NODE_ENV=production.',
      evidence: [...nodeEnv.map(text), 'no Dockerfile, compose file, Procfile, process manager config or package.json script sets NODE_ENV=production'].join('\n'),
      recommendation: 'Default NODE_ENV to production (or refuse to start without it) and set ENV NODE_ENV=production in the release image.',
    });
  }
  return findings;
}
