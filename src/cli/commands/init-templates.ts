// What `init` writes for a project: an example queue that runs as it is, and a project file with
// every key explained (the minimal ones marked) for when the queue gets deployment tasks.

export function exampleQueue(project: string): string {
  const queue = {
    $schema: './work-queue.schema.json',
    project,
    features: [
      {
        id: 'HELLO-001',
        description:
          "A first coding task: say here what to change. It names no agent, so the contract's default_agent runs it (the claude preset: Claude Code, with cost, budgets, checkpoints and stuck detection; codex, gemini and aider are presets too). It is done when the agent's final answer prints <promise>DONE</promise> and every verify command passes.",
        completion_promise: 'DONE',
        max_iterations: 5,
        verify: [['node', '-e', "console.log('put your tests here, e.g. [\"npm\", \"test\"]')"]],
      },
      {
        id: 'REVIEW-001',
        description: 'A task a person approves before it runs (requires_approval).',
        agent_type: 'noop',
        completion_promise: 'DONE',
        depends_on: ['HELLO-001'],
        requires_approval: ['a person looks first'],
      },
    ],
  };
  return `${JSON.stringify(queue, null, 2)}\n`;
}

export function projectFileTemplate(project: string): string {
  return `# yaml-language-server: $schema=../schema/project.schema.json
# The project '${project}': where its code lives and how each environment is tested, built, deployed,
# migrated, checked and rolled back. Deployment, migration and readiness tasks need this file;
# command and noop tasks do not. Keys marked "required" are the minimal file; the rest is optional.
#
# Commands are argv arrays, run in \`path\` without a shell (task text never reaches one). Their
# environment holds VERSION, ENVIRONMENT, PROJECT, PROJECT_PATH, WORKSPACE_ROOT, NODE, PORT (when
# the environment has one), MIGRATIONS_PATH (when the task names one) and the \`env\` entries below;
# \`\${NAME}\` in a command, an env value or the health check is replaced with that value.
version: 1                    # required: the format of this file
description: ${project}, deployed by autonomous-loop
path: .                       # required: the project's folder (relative to the workspace, or absolute)

git:
  tag_releases: false         # true: tag v<version> after a successful deployment (and roll back by tag)
  # repo: .                   # the git repository, when it is not \`path\`

defaults:                     # merged into every environment below (an environment's own keys win)
  env:
    LOG_LEVEL: info
  commands:
    test: ["npm", "test"]                        # pre-flight: must pass before a deployment
    # build: ["npm", "run", "build"]
    # deploy: ["npm", "run", "deploy", "--", "\${ENVIRONMENT}", "\${VERSION}"]   # required to deploy
    # migrate_up: ["npx", "knex", "migrate:latest"]
    # migrate_down: ["npx", "knex", "migrate:down"]      # MIGRATE_TARGET: the last id to keep
    # migrate_status: ["node", "scripts/migrate-status.mjs"]   # prints {"applied": [...], "pending": [...]}
    # rollback: ["npm", "run", "deploy", "--", "\${ENVIRONMENT}", "\${VERSION}"]
    # stop: ["npm", "run", "stop"]
  timeouts:                   # seconds, per command
    test: 600
  # health_check:             # after a deploy: an HTTP GET (or \`command\`) that must answer
  #   url: "http://127.0.0.1:\${PORT}/health"
  #   expected_status: 200
  #   body_contains: '"version":"\${VERSION}"'
  #   timeout_seconds: 2
  #   retries: 4
  #   backoff_seconds: 0.5

environments:                 # required: the environments this project deploys to (dev, stage, prod accepted)
  development:
    port: 3001
  staging:
    port: 3002
  production:
    port: 3003
`;
}
