export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

const ALIASES: Record<string, Environment> = {
  development: 'development',
  dev: 'development',
  staging: 'staging',
  stage: 'staging',
  production: 'production',
  prod: 'production',
};

/** `dev`, `stage`, `prod` and the full names, any case; undefined when it is none of them. */
export function normalizeEnvironment(value: string): Environment | undefined {
  const key = value.trim().toLowerCase();
  // Own keys only: 'constructor' or '__proto__' must not come back from the object's prototype.
  return Object.hasOwn(ALIASES, key) ? ALIASES[key] : undefined;
}

/**
 * A YAML section keyed by environment (`environments:`, `severity_overrides:`) with `dev`, `stage`
 * and `prod` written for the full names; both spellings of one environment is a problem.
 */
export function normalizeEnvironmentKeys(section: unknown, at: string, problems: string[]): unknown {
  if (section === null || typeof section !== 'object' || Array.isArray(section)) return section;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section)) {
    const env = normalizeEnvironment(key) ?? key;
    if (Object.hasOwn(out, env)) problems.push(`${at}.${key}: ${env} is given twice (as '${key}' and under another name)`);
    out[env] = value;
  }
  return out;
}

/** Adds `dev`, `stage` and `prod` beside the full names in the named sections of a JSON Schema. */
export function withEnvironmentAliases(schema: Record<string, unknown>, sections: string[]): Record<string, unknown> {
  const properties = schema.properties as Record<string, { properties?: Record<string, unknown> }> | undefined;
  for (const name of sections) {
    const section = properties?.[name]?.properties;
    if (!section) continue;
    for (const [alias, full] of [['dev', 'development'], ['stage', 'staging'], ['prod', 'production']] as const) {
      if (section[full]) section[alias] = section[full];
    }
  }
  return schema;
}
