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
