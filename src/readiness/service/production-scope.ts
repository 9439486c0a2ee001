// What is not the production service, by where it lives: side tools, test environments, dev-only
// settings. Pure path rules (no file reads), so the file list can use them while it is built.

// Folders of tools that sit beside the service and are not deployed with it.
const SIDE_TOOL_DIR = /^(extras?|scripts?|tools?|examples?|samples?|contrib|hack|utils\/dev|misc)\//i;
// Hidden folders of editors, generators and installers (CI folders stay in scope: the CI check reads them).
const HIDDEN_TOOL_DIR = /^(\.(?!github\/|gitlab\/|circleci\/|ci\/|buildkite\/|woodpecker\/|gitea\/|forgejo\/)[\w-]+)\//;

/** Why a path is a side tool rather than part of the service (`extra/: a side tool`), or undefined. */
export function sideToolReason(rel: string): string | undefined {
  const hidden = HIDDEN_TOOL_DIR.exec(rel);
  if (hidden?.[1]) return `${hidden[1]}/: a tool folder, not the service`;
  const m = SIDE_TOOL_DIR.exec(rel);
  if (m?.[1]) return `${m[1]}/: a side tool beside the service, not deployed with it`;
  return undefined;
}

// Environments made for tests: `scripts/test-environments/`, `test-env/`, `testenv/`, `ci/`.
const TEST_FIXTURE_DIR = /(?:^|\/)(?:test[-_][\w-]+|testenvs?|integration[-_]?tests?|load[-_]?tests?)\//i;

/** A folder that holds a test environment (a compose file for tests, seed data): never production. */
export function isTestFixture(rel: string): boolean {
  return TEST_FIXTURE_DIR.test(rel);
}

// Settings modules for development, tests or CI: `settings/dev.py`, `local_settings.py`, `config/django/test.py`.
const DEV_SETTINGS = /(?:^|\/)(?:settings[_/])?(?:dev|develop|development|local|test|tests|testing|ci|debug|e2e)(?:_settings)?\.py$/i;

/** A settings module that only development or tests load. */
export function isDevSettings(rel: string): boolean {
  return DEV_SETTINGS.test(rel) && !/(?:^|\/)(?:prod|production|live|deploy)/i.test(rel);
}

// Settings modules that production loads on top of a base: `settings/production.py`, `config/django/prod.py`.
const PROD_SETTINGS = /(?:^|\/)(?:settings[_/])?(?:prod|production|live|deploy|deployment|release)(?:_settings)?\.py$/i;

export function isProductionSettings(rel: string): boolean {
  return PROD_SETTINGS.test(rel);
}
