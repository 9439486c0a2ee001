// The variables a project's commands see in their environment, and that `${NAME}` in a command,
// an env value or a health check URL is replaced with. No shell is involved: a value is one argv
// element whatever it holds.

/** Set for every command run. NODE is the Node.js running the loop, for `["${NODE}", "script.mjs"]`. */
export const STANDARD_VARIABLES = ['VERSION', 'ENVIRONMENT', 'PROJECT', 'PROJECT_PATH', 'WORKSPACE_ROOT', 'NODE'] as const;
/** Set when they apply: PORT when the environment has one, the MIGRATE_* for migrate down, ROLLBACK_FROM for a rollback,
 * PLAN_FILE (the saved plan) and PLAN_JSON (its `show -json` output, for a cost tool) for provisioning commands. */
export const OPTIONAL_VARIABLES = ['PORT', 'MIGRATIONS_PATH', 'MIGRATE_TARGET', 'MIGRATE_STEPS', 'ROLLBACK_FROM', 'PLAN_FILE', 'PLAN_JSON'] as const;
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set<string>([...STANDARD_VARIABLES, ...OPTIONAL_VARIABLES]);

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The names `${NAME}` references in `text`. */
export function listReferences(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((m) => m[1] ?? '');
}

/** Replaces each `${NAME}` with its value; a name without a value becomes the empty string. */
export function interpolate(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(REFERENCE, (_, name: string) => variables[name] ?? '');
}
