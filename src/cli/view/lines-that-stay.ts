// Lines of an agent's progress a person must still see after the iteration: guardrail warnings and
// findings, the migrations applied or undone, rollbacks, failed checks. The live region shows the
// latest lines and then forgets them; these are printed above it as well, where they stay.
const STAYS = [
  /^\s*warning:/i,
  /^\s*applied:/,
  /^\s*migrations applied:/,
  /^\s*(rolled back|rolling back|migrations back to|redeployed )/,
  /ROLLBACK FAILED/,
  /^\s*overridden by a person/,
  /^\s*(pre-flight [^:]+|validation): (failed|warning)/,
  /^\s*health check after migrating failed/,
  /DROPS DATA/,
  / runs \S+ again$/,
];

export function staysOnScreen(line: string): boolean {
  return STAYS.some((re) => re.test(line));
}
