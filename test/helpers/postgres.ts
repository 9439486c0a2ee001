import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

import './provided-context.js';

/** The cluster's admin URL (the password in it is the test cluster's own). */
export function clusterUrl(): string {
  return inject('postgresUrl');
}

/** A new, empty database on the test cluster: one a test file (or a test) has to itself. */
export async function freshDatabase(): Promise<string> {
  const admin = new URL(clusterUrl());
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  admin.pathname = `/${name}`;
  return admin.toString();
}
