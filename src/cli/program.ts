import { Command, Option } from 'commander';

// Commands are declared here and loaded when used, so that `--help` starts fast.
export function buildProgram(): Command {
  const program = new Command('autonomous-loop')
    .description("Runs a project's work queue to completion, stopping for a person where a gate demands it.")
    .version(readVersion(), '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('run', { isDefault: true })
    .description('run the queue tasks/work_queue_<project>.json to the end (the default command)')
    .requiredOption('-p, --project <project>', 'the project: reads tasks/work_queue_<project>.json')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .option('-c, --concurrency <n>', 'tasks that may run at once', parsePositiveInt, 1)
    .option('--max-iterations <n>', 'iterations the whole run may spend', parsePositiveInt)
    .option('--max-cost <usd>', 'USD the whole run may spend (agents that report cost)', parsePositiveNumber)
    .option('--non-interactive', 'never prompt: gated tasks wait for `approve`', false)
    .option('-y, --yes', 'pre-approve development and staging gates (never production)', false)
    .addOption(new Option('--approval-timeout <seconds>', 'an unanswered prompt becomes awaiting_approval').argParser(parsePositiveInt))
    .option('--by <name>', 'who answers the prompts in this terminal (default: the OS user)')
    .action(async (opts) => (await import('./commands/run.js')).runCommandAction(opts));

  program
    .command('plan')
    .description('show the order the tasks will run in, as waves')
    .requiredOption('-p, --project <project>', 'the project')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/plan.js')).planCommand(opts));

  program
    .command('status')
    .description('tasks with their status, iterations used and last error')
    .requiredOption('-p, --project <project>', 'the project')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/status.js')).statusCommand(opts));

  program
    .command('validate')
    .description('check the queue (and the contract) without running anything')
    .requiredOption('-p, --project <project>', 'the project')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/validate.js')).validateCommand(opts));

  program
    .command('init')
    .description('create a workspace: tasks/, governance/, guardrails/, .aibrain/')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .option('-p, --project <project>', 'also create an empty queue for this project')
    .action(async (opts) => (await import('./commands/init.js')).initCommand(opts));

  for (const decision of ['approve', 'reject'] as const) {
    program
      .command(`${decision} <task>`)
      .description(decision === 'approve' ? 'approve a gated task (recorded); the next run proceeds' : 'reject a gated task (recorded); the next run blocks it')
      .requiredOption('-p, --project <project>', 'the project')
      .requiredOption('--by <name>', 'who decides (recorded with the OS user)')
      .option('--comment <text>', 'why')
      .option('--root <dir>', 'the workspace folder', process.cwd())
      .action(async (task, opts) => (await import('./commands/decide.js')).decideCommand(decision, task, opts));
  }

  program
    .command('rollback')
    .description('redeploy an earlier version of a project in an environment (production asks first)')
    .requiredOption('-p, --project <project>', 'the project: governance/projects/<project>.yaml')
    .requiredOption('--env <environment>', 'development, staging or production')
    .requiredOption('--to <version>', 'the version to bring back')
    .option('--migrations-down', 'also undo the migrations applied since that version was deployed', false)
    .option('--by <name>', 'who confirms (default: the OS user)')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .action(async (opts) => (await import('./commands/rollback.js')).rollbackCommand(opts));

  program
    .command('readiness')
    .description('review the project for production readiness (OPERATOR-NNN findings); exit 1 when a BLOCKER is found')
    .requiredOption('-p, --project <project>', 'the project: governance/projects/<project>.yaml says where it lives')
    .option('--env <environment>', 'the environment to review for', 'production')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/readiness.js')).readinessCommand(opts));

  program
    .command('scan <paths...>')
    .description('scan SQL, migrations and code for destructive operations (paths relative to the current folder); exit 1 at or above --fail-on')
    .option('--json', 'print JSON: {"findings": [{file, line, rule, severity, message, suppressed}]}', false)
    .option('--fail-on <severity>', 'lowest severity that fails the scan: CRITICAL, HIGH, MEDIUM or LOW', 'CRITICAL')
    .option('--env <environment>', "apply the contract's severity overrides for this environment")
    .option('--root <dir>', 'the workspace folder (contract and guardrails/ rule packs)', process.cwd())
    .action(async (paths, opts) => (await import('./commands/scan.js')).scanCommand(paths, opts));

  program
    .command('validate-migrations <path>')
    .description('check the migrations in a folder for an environment (upgrade, downgrade, SQL rules); exit 1 when they fail')
    .requiredOption('--env <environment>', 'development, staging or production')
    .option('--json', 'print JSON', false)
    .option('--root <dir>', 'the workspace folder (contract and guardrails/ rule packs)', process.cwd())
    .action(async (dir, opts) => (await import('./commands/validate-migrations.js')).validateMigrationsCommand(dir, opts));

  program
    .command('history')
    .description('deployments (or, with --decisions, every decision) on record')
    .option('-p, --project <project>', 'only this project')
    .option('--decisions', 'list decisions: approve, reject, override, revert, abort, veto', false)
    .option('--iterations', 'list iterations with cost, tokens, turns, time and checkpoint commit', false)
    .option('--task <id>', 'with --iterations: only this task')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/history.js')).historyCommand(opts));

  // The coding loop (issue 15): the CLIs it drives, an iteration's output, going back to a checkpoint.
  program
    .command('agents')
    .description('the coding CLIs the loop can drive: which are installed (with versions) and what each will run')
    .option('--root <dir>', 'the workspace folder (its contract configures the presets)', process.cwd())
    .option('--json', 'print JSON', false)
    .action(async (opts) => (await import('./commands/agents.js')).agentsCommand(opts));

  program
    .command('logs <task>')
    .description("print an iteration's full output (.aibrain/runs/<run>/<task>/<n>.log); the latest by default")
    .requiredOption('-p, --project <project>', 'the project')
    .option('--iteration <n>', 'this iteration (the numbers history --iterations shows)', parsePositiveInt)
    .option('-f, --follow', 'keep printing as the iteration writes, and the next ones, until the task stops', false)
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .action(async (task, opts) => (await import('./commands/logs.js')).logsCommand(task, opts));

  program
    .command('revert <task>')
    .description("move the work tree back to a task's checkpoint (git reset --keep), recorded as a decision")
    .requiredOption('-p, --project <project>', 'the project')
    .requiredOption('--iteration <n>', 'the iteration whose checkpoint to go back to', parsePositiveInt)
    .requiredOption('--by <name>', 'who decides (recorded)')
    .option('--root <dir>', 'the workspace folder', process.cwd())
    .action(async (task, opts) => (await import('./commands/revert.js')).revertCommand(task, opts));

  return program;
}

function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 1_000_000) throw invalidArgument(`'${value}' is not a number above 0`);
  return n;
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw invalidArgument(`'${value}' is not a whole number from 1 to 1000000`);
  return n;
}

function invalidArgument(message: string): Error {
  return new (class extends Error {
    code = 'commander.invalidArgument';
    exitCode = 2;
  })(message);
}

function readVersion(): string {
  return '0.1.0';
}
