import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabase } from './postgres-cluster.js';

import './provided-context.js';

/** The cluster's admin URL (the password in it is the test cluster's own). */
export function clusterUrl(): string {
  return inject('postgresUrl');
}

/** A new, empty database on the test cluster: one a test file (or a test) has to itself. */
export async function freshDatabase(): Promise<string> {
  return createDatabase(clusterUrl(), `t_${randomBytes(6).toString('hex')}`);
}
