/** The prefix of every error of a rollback that itself failed: the environment is degraded. */
export const ROLLBACK_FAILED = 'ROLLBACK FAILED';

/** Did this error come from a rollback that failed? The engine makes no further attempt then. */
export function isRollbackFailure(error: string | null | undefined): boolean {
  return typeof error === 'string' && error.startsWith(ROLLBACK_FAILED);
}
