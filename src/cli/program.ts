import { Command, Option } from 'commander';
import { addConsoleCommands } from './console-commands.js';
import { readVersion, resolveTarget } from './resolve-target.js';

export const EXIT_CODES = `
Exit codes: 0 done · 1 a task failed or was blocked · 2 bad input (nothing written)
            3 waiting for approval · 4 aborted at a prompt · 5 the state store failed (unreachable, refused, disk full)
            130 interrupted (state saved)`;

// Commands are declared here and loaded when used, so that `--help` starts fast.
export function buildProgram(): Command {
  const program = new Command('autonomous-loop')
    .description("Runs a project's work queue to completion, stopping for a person where a gate demands it.")
    .version(readVersion(), '-V, --version', 'print the version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeErr: (s) => process.stderr.write(s), outputError: () => undefined })
    .addHelpText(
      'after',
      `
Examples:
  $ autonomous-loop init --project shop          # a workspace with an example queue and project file
  $ autonomous-loop --project shop               # run tasks/work_queue_shop.json to the end
  $ autonomous-loop status --project shop --json
${EXIT_CODES}

The workspace is the nearest folder up from here holding tasks/, governance/ or .aibrain/ (or --root).
See 'autonomous-loop <command> --help' for a command's options and examples.`,
    );
  program.option('--database-url <url>', 'keep the state in PostgreSQL (postgres://user:password@host:port/db; default: $AUTONOMOUS_LOOP_DATABASE_URL, else .aibrain/state.db)');
  program.hook('preAction', (root, action) => {
    // The store reads AUTONOMOUS_LOOP_DATABASE_URL: the flag is the same setting for this invocation.
    const url = root.opts<{ databaseUrl?: string }>().databaseUrl;
    if (url !== undefined) process.env.AUTONOMOUS_LOOP_DATABASE_URL = url;
    resolveTarget(action);
  });

  target(program.command('run', { isDefault: true }))
    .description('run the queue tasks/work_queue_<project>.json to the end (the default command)')
    .option('-c, --concurrency <n>', 'tasks that may run at once', parsePositiveInt, 1)
    .option('--max-iterations <n>', 'iterations the whole run may spend', parsePositiveInt)
    .option('--max-cost <usd>', 'USD the whole run may spend (agents that report cost)', parsePositiveNumber)
    .option('--non-interactive', 'never prompt: gated tasks wait for `approve`', false)
    .option('-y, --yes', 'pre-approve development and staging gates (never production, never requires_approval)', false)
    .addOption(new Option('--approval-timeout <seconds>', 'an unanswered prompt becomes awaiting_approval').argParser(parsePositiveInt))
    .option('--by <name>', 'who answers the prompts in this terminal (default: the OS user)')
    .option('--wait', 'at a gate with nobody at a terminal, wait for approve/reject/override from another shell (and, with several runners, for a runner with the labels a ready task needs) instead of exiting 3', false)
    .option('--json', 'print one JSON event per line (schema/run-events.schema.json) instead of the view', false)
    .option('--labels <a,b>', "this runner's labels: it takes only tasks whose runs_on (or environment's runs_on) it has all of", parseLabels)
    .option('--lease <seconds>', 'several runners on one database: how long a task claim holds without a heartbeat', parsePositiveInt, 30)
    .action(async (opts) => (await import('./commands/run.js')).runCommandAction(opts))
    .addHelpText('after', examples(['--project shop', '--project shop --concurrency 3 --yes', '--project shop --non-interactive --wait   # approve from another shell', '--queue tasks/queues-active/work_queue_shop.json --non-interactive --json']));

  target(program.command('provision'))
    .description("request a resource with a business case (the operator guide's AWS provisioning): added to the queue as a provisioning task, then planned, shown to a person, applied and documented")
    .requiredOption('--case <file>', "the business case: the guide's text (Justification, Cost estimate, Alternatives considered, Risk assessment), or JSON/YAML in the queue's business_case shape")
    .option('--resource <words>', 'what to provision (default: the case\'s first line "Provision <resource>.")')
    .option('--env <environment>', 'where to provision it', 'development')
    .option('--id <id>', 'the task id (default: the next PROVISION-NNN)')
    .option('--no-run', 'only add the task to the queue')
    .option('--non-interactive', 'never prompt: the plan waits for `approve`', false)
    .option('--by <name>', 'who answers the prompts in this terminal (default: the OS user)')
    .addOption(new Option('--approval-timeout <seconds>', 'an unanswered prompt becomes awaiting_approval').argParser(parsePositiveInt))
    .action(async (opts) => (await import('./commands/provision.js')).provisionCommand({ concurrency: 1, yes: false, json: false, wait: false, ...opts }))
    .addHelpText('after', examples(['provision --project karematch --case request.txt', 'provision --project karematch --resource "S3 bucket for user uploads" --case case.json --env production --non-interactive']));

  target(program.command('plan'))
    .description('show the order the tasks will run in, as waves')
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/plan.js')).planCommand(opts))
    .addHelpText('after', examples(['plan --project shop', 'plan --project shop --json']));

  target(program.command('status'))
    .description('tasks with their status, iterations used and last error; environments (their health checks asked now); whether a loop runs')
    .option('--json', 'print JSON', false)
    .option('--no-probe', "do not ask the environments' health checks (show the record only)")
    .action(async (opts) => (await import('./commands/status.js')).statusCommand(opts))
    .addHelpText('after', examples(['status --project shop', 'status --json']));

  target(program.command('validate'))
    .description('check the queue, the contract and the project file without running anything')
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/validate.js')).validateCommand(opts))
    .addHelpText('after', examples(['validate --project shop', 'validate --queue ../other/work_queue_api.json']));

  program
    .command('init')
    .description('create a workspace: tasks/ (an example queue), governance/ (contract, project file), schemas, .aibrain/')
    .option('--root <dir>', 'the workspace folder (default: the current folder)')
    .option('-p, --project <project>', 'the project to create a queue and a project file for')
    .option('--json', 'print what was created as JSON', false)
    .action(async (opts) => (await import('./commands/init.js')).initCommand({ ...opts, root: opts.root ?? process.cwd() }))
    .addHelpText('after', examples(['init --project shop', 'init --root ../infra --project api --json']));

  for (const decision of ['approve', 'reject'] as const) {
    target(program.command(`${decision} <task>`))
      .description(decision === 'approve' ? 'approve a gated task (recorded); the next run proceeds' : 'reject a gated task (recorded); the next run blocks it')
      .option('--by <name>', 'who decides (required; recorded with the OS user)')
      .option('--comment <text>', 'why')
      .option('--sign', "sign the decision with the approver's SSH key (ssh-agent; verified_approvals environments need it)", false)
      .option('--key <path>', 'sign with this key file instead of the one ssh-agent holds (implies --sign)')
      .option('--json', 'print the decision as JSON', false)
      .option('-y, --yes', 'do not show the box and ask to confirm at a terminal (for scripts)', false)
      .action(async (task, opts) => (await import('./commands/decide.js')).decideCommand(decision, task, opts))
      .addHelpText('after', examples([`${decision} DEPLOY-PROD-001 --project shop --by ana --comment "checked the dashboards"`, `${decision} DEPLOY-PROD-001 --project shop --by ana --sign`, `${decision} DEPLOY-STAGING-001 --by ana --json`]));
  }

  target(program.command('override <task>'))
    .description('let a task blocked by its agent or a guardrail go on as if the blocked iteration passed (recorded, with a reason)')
    .option('--by <name>', 'who decides (required; recorded with the OS user)')
    .option('--reason <text>', 'why (required; recorded)')
    .option('--sign', "sign the decision with the approver's SSH key (ssh-agent; verified_approvals environments need it)", false)
    .option('--key <path>', 'sign with this key file instead of the one ssh-agent holds (implies --sign)')
    .option('--json', 'print the decision as JSON', false)
    .action(async (task, opts) => (await import('./commands/decide.js')).decideCommand('override', task, opts))
    .addHelpText('after', examples(['override FIX-001 --project shop --by ana --reason "the DROP is of a table nobody reads"', 'override DEPLOY-PROD-001 --by ana --reason "OPERATOR-002 accepted for this release" --json']));

  target(program.command('rollback'))
    .description('redeploy an earlier version of a project in an environment (production asks first)')
    .requiredOption('--env <environment>', 'development, staging or production')
    .requiredOption('--to <version>', 'the version to bring back')
    .option('--migrations-down', 'also undo the migrations applied since that version was deployed', false)
    .option('--migrations-path <dir>', 'the migrations folder in the project: the box says what each down migration drops')
    .option('--yes', 'development/staging: do not ask before a down migration that drops data (production always asks)', false)
    .option('--by <name>', 'who confirms (default: the OS user)')
    .option('--json', 'print the result as JSON', false)
    .action(async (opts) => (await import('./commands/rollback.js')).rollbackCommand(opts))
    .addHelpText('after', examples(['rollback --project shop --env staging --to 1.1.0', 'rollback --env production --to 1.1.0 --migrations-down']));

  program
    .command('push')
    .description("merge a person's edit of this machine's queue file into the state store where no runner runs here (a runner does it by itself); definitions changed on another machine meanwhile are named as conflicts, never overwritten")
    .requiredOption('-p, --project <project>', 'the project')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/push.js')).pushCommand(opts))
    .addHelpText('after', examples(['push --project shop', 'push --project shop --json']));

  program
    .command('forget-file')
    .argument('<file>', "the file as status names it in a conflict: host:path")
    .description("forget the queue file of a machine gone for good: its record in the database goes, and with it the conflicts it was named in (several machines); recorded")
    .requiredOption('-p, --project <project>', 'the project')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .option('--json', 'print JSON', false)
    .action(async (file: string, opts) => (await import('./commands/forget-file.js')).forgetFileCommand(file, opts))
    .addHelpText('after', examples(['forget-file old-laptop:/home/ana/shop/tasks/work_queue_shop.json --project shop']));

  program
    .command('unlock')
    .description('remove the project lock of a loop that is gone (another host, a lost container); recorded')
    .requiredOption('-p, --project <project>', 'the project')
    .option('--force', 'remove it: you have checked that no loop runs the project', false)
    .option('--by <name>', 'who removes it (recorded with the OS user)')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .action(async (opts) => (await import('./commands/unlock.js')).unlockCommand(opts));

  const db = program.command('db').description('the state store: which one, its schema migrations (PostgreSQL with --database-url or $AUTONOMOUS_LOOP_DATABASE_URL, else SQLite)');
  db.command('status')
    .description('the store and its schema migrations, applied and pending (changes nothing)')
    .option('--root <dir>', 'the workspace folder (default: found from the current folder)')
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/db.js')).dbStatusCommand(opts))
    .addHelpText('after', examples(['db status', 'db status --database-url postgres://loop@db.internal/loop']));
  db.command('migrate')
    .description('apply the pending schema migrations (the first connect does so too), under the store\'s lock')
    .option('--root <dir>', 'the workspace folder (default: found from the current folder)')
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/db.js')).dbMigrateCommand(opts))
    .addHelpText('after', examples(['db migrate', 'AUTONOMOUS_LOOP_DATABASE_URL=postgres://loop@db.internal/loop autonomous-loop db migrate']));

  program
    .command('repair')
    .description('bring the records in line: rewrite deployments.json / decisions.jsonl from state.db, or rebuild a missing or damaged state.db from them')
    .option('--root <dir>', 'the workspace folder (default: found from the current folder)')
    .option('--json', 'print what was repaired as JSON', false)
    .action(async (opts) => (await import('./commands/repair.js')).repairCommand(opts))
    .addHelpText('after', examples(['repair', 'repair --root ../shop-infra']));

  target(program.command('readiness'))
    .description('review the project for production readiness (OPERATOR-NNN findings); exit 1 when a BLOCKER is found')
    .option('--env <environment>', 'the environment to review for', 'production')
    .option('--json', 'print JSON', false)
    .option('--migrations-path <folder>', "the migrations folder to review (default: the one the queue's task for --env names, as its gate reviews; else every folder found)")
    .action(async (opts) => (await import('./commands/readiness.js')).readinessCommand(opts))
    .addHelpText('after', examples(['readiness --project shop', 'readiness --project shop --json', 'readiness --project shop --migrations-path db/migrations']));

  program
    .command('scan <paths...>')
    .description('scan SQL, migrations and code for destructive operations (paths relative to the current folder); exit 1 at or above --fail-on')
    .option('--json', 'print JSON (streamed): {"findings": [{file, line, rule, severity, message, suppressed, ...}], files_scanned, not_scanned, parse_errors}', false)
    .option('--fail-on <severity>', 'lowest severity that fails the scan: CRITICAL, HIGH, MEDIUM or LOW', 'CRITICAL')
    .option('--env <environment>', "apply the contract's severity overrides for this environment")
    .option('--dialect <dialect>', 'read every SQL file as postgres, mysql, sqlite or cockroachdb (default: detected per file)')
    .option('--allow-unread', 'do not fail on files and statements nothing could read (they are still listed)', false)
    .option('--root <dir>', 'the workspace folder (contract and guardrails/ rule packs)')
    .action(async (paths, opts) => (await import('./commands/scan.js')).scanCommand(paths, opts))
    .addHelpText('after', examples(['scan migrations/ src/', 'scan db/migrate --json --fail-on HIGH', 'scan schema.sql --dialect mysql']));

  program
    .command('scan-plan <plan-json>')
    .description("the plan guardrails on an OpenTofu/Terraform JSON plan ('tofu show -json plan.out > plan.json'): stateful destroys, public buckets, open ingress, encryption, versioning; exit 1 at or above --fail-on")
    .option('--json', 'print JSON: {"changes": [...], "findings": [{address, rule, severity, message, detail, fix, suppressed}]}', false)
    .option('--fail-on <severity>', 'lowest severity that fails: CRITICAL, HIGH, MEDIUM or LOW', 'CRITICAL')
    .option('--data-loss <words>', "the business case's data-loss risk (versioning is asked for unless it says data loss does not matter)")
    .option('--root <dir>', 'the workspace folder (guardrails/plan/ rule packs)')
    .action(async (file, opts) => (await import('./commands/scan-plan.js')).scanPlanCommand(file, opts))
    .addHelpText('after', examples(['scan-plan plan.json', 'scan-plan plan.json --json --fail-on HIGH']));

  program
    .command('validate-migrations <path>')
    .description('check the migrations in a folder for an environment (upgrade, downgrade, SQL rules); exit 1 when they fail')
    .requiredOption('--env <environment>', 'development, staging or production')
    .option('--dialect <dialect>', 'read every SQL migration as postgres, mysql, sqlite or cockroachdb (default: detected per file)')
    .option('--allow-unread', 'do not fail on files and statements nothing could read (they are still listed)', false)
    .option('--json', 'print JSON', false)
    .option('--root <dir>', 'the workspace folder (contract and guardrails/ rule packs)')
    .action(async (dir, opts) => (await import('./commands/validate-migrations.js')).validateMigrationsCommand(dir, opts))
    .addHelpText('after', examples(['validate-migrations migrations/ --env production', 'validate-migrations alembic/versions --env staging --json']));

  program
    .command('history')
    .description('deployments (or, with --decisions, every decision) on record')
    .option('-p, --project <project>', 'only this project')
    .option('--decisions', 'list decisions: approve, reject, override, revert, abort, veto', false)
    .option('--provisioning', 'list provisioning records (.aibrain/provisioning.json): case, plan, cost, approver, outcome', false)
    .option('--iterations', 'list iterations with cost, tokens, turns, time and checkpoint commit', false)
    .option('--task <id>', 'with --iterations: only this task')
    .option('--verify', 'check the records: the hash chain of state.db, and every line of deployments.json and decisions.jsonl against it (exit 1 on a mismatch)', false)
    .option('--root <dir>', 'the workspace folder (default: found from the current folder)')
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/history.js')).historyCommand(opts))
    .addHelpText('after', examples(['history --project shop', 'history --decisions --json', 'history --provisioning --project karematch', 'history --verify']));

  program
    .command('completion <shell>')
    .description('print a completion script for bash, zsh or fish')
    .action(async (shell) => (await import('./commands/completion.js')).completionCommand(shell))
    .addHelpText('after', examples(['completion bash >> ~/.bashrc', 'completion fish > ~/.config/fish/completions/autonomous-loop.fish']));

  program
    .command('version')
    .description('print the version')
    .action(() => void process.stdout.write(`${readVersion()}\n`));

  // The coding loop (issue 15): the CLIs it drives, an iteration's output, going back to a checkpoint.
  program
    .command('agents')
    .description('the coding CLIs the loop can drive: which are installed (with versions) and what each will run')
    .option('--root <dir>', 'the workspace folder: its contract configures the presets (default: found from the current folder)')
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/agents.js')).agentsCommand(opts))
    .addHelpText('after', examples(['agents', 'agents --json']));

  target(program.command('logs <task>'))
    .description("print an iteration's full output (.aibrain/runs/<run>/<task>/<n>.log); the latest by default")
    .option('--iteration <n>', 'this iteration (the numbers history --iterations shows)', parsePositiveInt)
    .option('-f, --follow', 'keep printing as the iteration writes, and the next ones, until the task stops', false)
    .option('--raw', "the log as the CLI wrote it (JSON events and all), not read into lines", false)
    .action(async (task, opts) => (await import('./commands/logs.js')).logsCommand(task, opts))
    .addHelpText('after', examples(['logs FIX-001 --project shop', 'logs FIX-001 --iteration 2', 'logs FIX-001 --follow']));

  target(program.command('revert <task>'))
    .description("drop a task's own later checkpoints, back to the one after iteration N (git reset --keep); says what it drops and asks; refused when a commit that is not the task's came after")
    .requiredOption('--iteration <n>', 'the iteration whose checkpoint to go back to', parsePositiveInt)
    .requiredOption('--by <name>', 'who decides (recorded)')
    .option('--yes', 'do not ask (for scripts)', false)
    .action(async (task, opts) => (await import('./commands/revert.js')).revertCommand(task, opts))
    .addHelpText('after', examples(['revert FIX-001 --iteration 2 --by ana', 'revert FIX-001 --iteration 2 --by ana --yes']));

  addConsoleCommands(program);
  return program;
}

function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1_000_000) throw invalidArgument(`'${value}' is not a number above 0`);
  return n;
}

/** The options that say which workspace, project and queue a command is about. */
function target(command: Command): Command {
  return command
    .option('-p, --project <project>', 'the project: reads tasks/work_queue_<project>.json (default: the only queue there is)')
    .option('--queue <file>', "run a queue kept anywhere (its 'project' names the project; state stays in the workspace)")
    .option('--root <dir>', 'the workspace folder (default: the nearest one up from the current folder)');
}

function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ autonomous-loop ${l}`).join('\n')}\n${EXIT_CODES}`;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw invalidArgument(`'${value}' is not a whole number from 1 to 1000000`);
  return n;
}

function parseLabels(value: string): string[] {
  const labels = value.split(',').map((l) => l.trim()).filter((l) => l !== '');
  const bad = labels.find((l) => !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(l));
  if (bad !== undefined || labels.length === 0) throw invalidArgument(`'${bad ?? value}' is not a runner label (letters, digits, '.', '_', '-'; several separated by commas)`);
  return [...new Set(labels)];
}

function invalidArgument(message: string): Error {
  return Object.assign(new Error(message), { code: 'commander.invalidArgument', exitCode: 2 });
}
