import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

/** A throwaway PostgreSQL cluster for one test run: initdb + pg_ctl in a temporary folder, on a free port. */
export interface Cluster {
  url: string;
  stop(): void;
  /** The server down (its data kept), as a database that restarts or a network that drops. */
  pause(): void;
  /** The server up again on the same port. */
  resume(): void;
}

const USER = 'loop';
const PASSWORD = 'pg-test-secret-4711';

/** initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<version>/bin (the newest). A missing server fails. */
export function findBin(name: string): string {
  const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', name))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions[0]) return path.join(base, versions[0], 'bin', name);
  throw new Error(`PostgreSQL is not installed (no ${name} on PATH or under ${base}/*/bin): install the postgresql package (the Postgres tests never skip)`);
}

// Postgres refuses to run as root: as root, the cluster belongs to the postgres user (made if missing).
function asServerUser(dir: string): string[] {
  if (process.getuid?.() !== 0) return [];
  if (spawnSync('id', ['-u', 'postgres']).status !== 0) {
    const made = spawnSync('useradd', ['--system', '--no-create-home', 'postgres'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`cannot create the postgres user to run the test cluster: ${made.stderr}`);
  }
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  chownSync(dir, uid, gid);
  return ['runuser', '-u', 'postgres', '--'];
}

function run(prefix: string[], argv: string[]): void {
  const [cmd, ...args] = [...prefix, ...argv];
  const r = spawnSync(cmd!, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
}

export async function startCluster(): Promise<Cluster> {
  const initdb = findBin('initdb');
  const pgCtl = findBin('pg_ctl');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'al-pg-'));
  chmodSync(dir, 0o700);
  const prefix = asServerUser(dir);
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${PASSWORD}\n`);
  if (prefix.length > 0) spawnSync('chown', ['postgres', pwfile]);
  run(prefix, [initdb, '-D', data, '-U', USER, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  run(prefix, [pgCtl, '-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '120', 'start']);
  const ctl = (args: string[]): void => run(prefix, [pgCtl, '-D', data, ...args]);
  return {
    pause: () => ctl(['-m', 'fast', '-w', 'stop']),
    resume: () => ctl(['-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '120', 'start']),
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: () => {
      spawnSync(prefix[0] ?? pgCtl, [...prefix.slice(1), ...(prefix.length > 0 ? [pgCtl] : []), '-D', data, '-m', 'immediate', '-w', 'stop'], { encoding: 'utf8' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new, empty database `name` on the server at `serverUrl` (an admin URL); its URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
