import type { GatePrompt } from './prompter.js';

/**
 * What a gate shows a person, as a title and lines: the terminal box (cli) and the console's gate
 * page both show exactly this.
 */
export function gateBoxContent(p: GatePrompt): { title: string; lines: string[] } {
  if (p.details) return preparedGateContent(p, p.details);
  const t = p.task;
  const kind = t.agentType === 'migration' ? 'MIGRATION' : t.agentType === 'rollback' ? 'ROLLBACK' : 'DEPLOYMENT';
  const lines = [
    `Environment:  ${t.environment ? t.environment.toUpperCase() : '(none)'}`,
    ...(t.agentType === 'rollback'
      ? [`Target Version: ${(t.rollbackTo ?? 'previous').toUpperCase()}`, `Migration Rollback: ${t.migrationsDown ? 'YES' : 'NO'}`]
      : [`Version:      ${t.version ?? (t.agentType === 'migration' ? '(schema only: the running version stays)' : '(none)')}`]),
    `Project:      ${p.project}`,
    `Task:         ${t.id} (${t.agentType})`,
    ...(t.agentType === 'rollback' ? [] : [`Migrations:   ${t.runMigrations || t.agentType === 'migration' ? `YES (path: ${t.migrationsPath ?? '(none given)'})` : 'NO'}`]),
    ...(t.command ? [`Command:      ${t.command.map((a) => JSON.stringify(a)).join(' ')}`] : []),
    ...(p.changes && p.changes.length > 0 ? ['', 'Asked again:', ...p.changes.map((c) => `  - ${c}`)] : []),
    ...(p.cascade && p.cascade.length > 0 ? ['', 'Cascade:', ...p.cascade.map((c) => `  ${c}`)] : []),
    '',
    'Why a person decides:',
    ...p.reasons.map((r) => `  - ${r}`),
    '',
    'Pre-flight:',
    ...(p.preflight.length > 0
      ? p.preflight.flatMap((c) => [
          `  ${c.status === 'passed' ? '✔' : c.status === 'failed' ? '✖' : c.status === 'warning' ? '!' : '·'} ${c.check}: ${c.status}${c.detail ? ` (${c.detail})` : ''}`,
          ...(c.items ?? []).map((i) => `      ${i}`),
        ])
      : ['  · tests, migrations, SQL/S3 safety, build: not run yet (they run after approval)']),
  ];
  if (p.preflight.some((c) => c.status === 'failed')) lines.push('', '✖  A pre-flight check failed: approving runs nothing past it; the task stops there.');
  if (t.agentType === 'rollback') lines.push('', `⚠  WARNING: This will restore ${t.rollbackTo && t.rollbackTo !== 'previous' ? `version ${t.rollbackTo}` : 'the previous deployment'}${t.migrationsDown ? ' and undo the migrations applied since' : ''}`);
  else if (p.production) lines.push('', `⚠  WARNING: Production ${kind.toLowerCase()} requires explicit approval: real users are affected. Approve only what you have checked.`);
  return { title: `${p.production && kind !== 'ROLLBACK' ? 'PRODUCTION ' : ''}${kind} APPROVAL REQUIRED`, lines };
}

// A gate whose agent prepared what it shows (a provisioning plan): the case, the plan, the cost.
function preparedGateContent(p: GatePrompt, details: { title: string; lines: string[] }): { title: string; lines: string[] } {
  const t = p.task;
  const lines = [
    `Environment:  ${t.environment ?? '(none)'}`,
    `Project:      ${p.project}`,
    `Task:         ${t.id} (${t.agentType})`,
    ...details.lines,
    ...(p.changes && p.changes.length > 0 ? ['', 'Asked again:', ...p.changes.map((c) => `  - ${c}`)] : []),
    '',
    'Why a person decides:',
    ...p.reasons.map((r) => `  - ${r}`),
    '',
    'Approving applies exactly this plan file, once; a changed plan asks again.',
  ];
  if (p.production) lines.push('', '⚠  PRODUCTION: real users are affected. Approve only what you have checked.');
  return { title: details.title, lines };
}
