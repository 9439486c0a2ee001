import { backupRecoveryRule } from './checks/backup-recovery.js';
import { ciTestsRule } from './checks/ci-tests.js';
import { composeRule } from './checks/compose.js';
import { configHygieneRule } from './checks/config-hygiene.js';
import { correlationIdsRule } from './checks/correlation-ids.js';
import { deployGuideRule } from './checks/deploy-guide.js';
import { dockerfileRule } from './checks/dockerfile.js';
import { envDocumentedRule } from './checks/env-documented.js';
import { envSecretDefaultsRule } from './checks/env-secret-defaults.js';
import { errorHandlingRule } from './checks/error-handling.js';
import { gracefulShutdownRule } from './checks/graceful-shutdown.js';
import { healthEndpointRule } from './checks/health-endpoint.js';
import { httpTimeoutsRule } from './checks/http-timeouts.js';
import { migrationsRule } from './checks/migrations.js';
import { rollbackProcedureRule } from './checks/rollback-procedure.js';
import type { ReadinessRule } from './checks/rule.js';
import { runbookRule } from './checks/runbook.js';
import { startupMigrationsRule } from './checks/startup-migrations.js';
import { insecureDefaultsRule } from './checks/insecure-defaults.js';
import { requestTimeoutsRule } from './checks/request-timeouts.js';
import { securityHeadersRule } from './checks/security-headers.js';
import { structuredLoggingRule } from './checks/structured-logging.js';
import { unboundedQueuesRule } from './checks/unbounded-queues.js';
import { versionConsistencyRule } from './checks/version-consistency.js';

/** The rules, in the order the report lists them among findings of equal severity and area. */
export const READINESS_RULES: readonly ReadinessRule[] = [
  rollbackProcedureRule,
  runbookRule,
  deployGuideRule,
  migrationsRule,
  startupMigrationsRule,
  envSecretDefaultsRule,
  insecureDefaultsRule,
  configHygieneRule,
  envDocumentedRule,
  structuredLoggingRule,
  correlationIdsRule,
  healthEndpointRule,
  versionConsistencyRule,
  ciTestsRule,
  errorHandlingRule,
  gracefulShutdownRule,
  httpTimeoutsRule,
  requestTimeoutsRule,
  securityHeadersRule,
  backupRecoveryRule,
  unboundedQueuesRule,
  dockerfileRule,
  composeRule,
];
