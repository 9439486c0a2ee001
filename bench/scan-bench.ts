// SQL scan throughput: generates ~2,000 realistic Postgres migrations (~20 MB) in a temp folder,
// scans them with scanPaths on one core, and compares with the Postgres parser alone on a sample.
// `npm run bench:scan -- [files] [kbPerFile] [passes]`
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadModule, parseSync } from 'libpg-query';
import { scanPaths } from '../src/guardrails/index.js';

const fileCount = Number(process.argv[2] ?? 2000);
const targetBytes = Number(process.argv[3] ?? 10) * 1024;
const passesWanted = Number(process.argv[4] ?? 5);

/** A small deterministic generator (mulberry32), so every run scans the same corpus. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['order', 'customer', 'invoice', 'payment', 'shipment', 'product', 'account', 'session', 'audit', 'tenant', 'plan', 'coupon'];
const TYPES = ['bigint', 'integer', 'text', 'varchar(255)', 'boolean', 'timestamptz', 'numeric(12,2)', 'jsonb', 'uuid', 'date'];
const NAMES = ["O'Brien", 'Jane Smith', 'José "Pepe" Garcia', 'plain name', 'semi;colon', '-- not a comment', '/* nor this */', 'ACME (EU) Ltd.'];
/** Some files carry non-ASCII text, as real seed data does (and string offsets stop being byte offsets). */
const NON_ASCII = ['Zoë Müller', '東京 office', 'Ærøskøbing'];

function generateMigration(n: number, rnd: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const table = `${pick(WORDS)}_${pick(WORDS)}_${n}`;
  const parts: string[] = [];
  parts.push(`-- Migration ${String(n).padStart(5, '0')}: ${table}\n-- Generated for the scan benchmark; DROP TABLE in a comment is not a statement.\n/* multi-line header\n   /* nested */ still the header; DELETE FROM users; */\nBEGIN;\n`);
  const cols = Array.from({ length: 8 + Math.floor(rnd() * 8) }, (_, i) => {
    const type = pick(TYPES);
    const extra = rnd() < 0.4 ? ` NOT NULL DEFAULT ${type === 'boolean' ? 'false' : type === 'timestamptz' ? 'now()' : type.startsWith('var') || type === 'text' ? "''" : '0'}` : '';
    return `    col_${i}_${pick(WORDS)} ${type}${extra}`;
  });
  parts.push(`CREATE TABLE IF NOT EXISTS public.${table} (\n    id bigserial PRIMARY KEY,\n    tenant_id bigint NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,\n${cols.join(',\n')},\n    created_at timestamptz NOT NULL DEFAULT now(),\n    CONSTRAINT ${table}_chk CHECK (id > 0)\n);\n`);
  parts.push(`CREATE INDEX ${table}_tenant_idx ON public.${table} (tenant_id);\nCREATE UNIQUE INDEX CONCURRENTLY ${table}_uniq ON public.${table} (tenant_id, id);\n`);
  parts.push(`COMMENT ON TABLE public.${table} IS 'Stores ${pick(WORDS)}s; don''t DROP TABLE this by hand';\n`);
  parts.push(`ALTER TABLE ${pick(WORDS)}s ADD COLUMN ${table}_ref bigint;\nALTER TABLE ${pick(WORDS)}s ADD COLUMN flag_${n} boolean NOT NULL DEFAULT false;\nALTER TABLE ${pick(WORDS)}s OWNER TO app;\n`);
  parts.push(`CREATE OR REPLACE FUNCTION ${table}_touch() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n  -- DROP TABLE inside a function body is only stored\n  NEW.created_at := now();\n  IF NEW.id < 0 THEN\n    DELETE FROM ${table};\n    RAISE EXCEPTION 'bad id: %', NEW.id;\n  END IF;\n  RETURN NEW;\nEND;\n$fn$;\nCREATE TRIGGER ${table}_touch BEFORE UPDATE ON public.${table} FOR EACH ROW EXECUTE FUNCTION ${table}_touch();\n`);
  parts.push(`UPDATE ${pick(WORDS)}s SET ${table}_ref = 0\n  WHERE ${table}_ref IS NULL\n    AND id < 1000000;\n`);
  if (n % 7 === 0) parts.push(`DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reader') THEN\n    CREATE ROLE reader;\n  END IF;\nEND\n$$;\n`);
  if (n % 11 === 0) parts.push(`CREATE TEMP TABLE scratch_${n} AS SELECT id FROM public.${table};\nDROP TABLE scratch_${n};\n`);
  parts.push(`GRANT SELECT, INSERT, UPDATE ON public.${table} TO app;\n`);
  let size = parts.reduce((s, p) => s + p.length, 0);
  let row = 0;
  const rows: string[] = [];
  while (size < targetBytes - 40) {
    const name = n % 4 === 0 && row % 5 === 0 ? pick(NON_ASCII) : pick(NAMES);
    const value = `    (${row}, '${name.replace(/'/g, "''")}', E'line\\n${pick(WORDS)}\\'s', ${(rnd() * 1000).toFixed(2)}, '{"k": "${pick(WORDS)}"}')`;
    rows.push(value);
    size += value.length + 2;
    row++;
  }
  parts.push(`INSERT INTO public.${table} (id, col_name, col_note, col_amount, col_doc) VALUES\n${rows.join(',\n')};\n`);
  parts.push('COMMIT;\n');
  return parts.join('\n');
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'al-scan-bench-'));
try {
  const migrations = path.join(dir, 'migrations');
  mkdirSync(migrations);
  const rnd = random(42);
  let bytes = 0;
  for (let i = 1; i <= fileCount; i++) {
    const text = generateMigration(i, rnd);
    bytes += Buffer.byteLength(text);
    writeFileSync(path.join(migrations, `${String(i).padStart(5, '0')}_migration_${i}.sql`), text);
  }
  // Load the WebAssembly parser outside the timing (a one-off per process).
  await scanPaths([path.join(migrations, readdirSync(migrations)[0] ?? '')]);

  // The first pass is what one pipeline run sees (cold JIT); later passes show the steady state.
  const passes: { seconds: number; result: Awaited<ReturnType<typeof scanPaths>> }[] = [];
  for (let i = 0; i < passesWanted; i++) {
    const t0 = performance.now();
    const result = await scanPaths([migrations]);
    passes.push({ seconds: (performance.now() - t0) / 1000, result });
  }
  const first = passes[0];
  if (!first) throw new Error('no pass ran');
  const { findings, filesScanned } = first.result;
  const seconds = first.seconds;
  const sorted = passes.map((p) => p.seconds).sort((a, b) => a - b);
  const medianSeconds = sorted[Math.floor(sorted.length / 2)] ?? seconds;

  await loadModule();
  const sample = readdirSync(migrations).slice(0, Math.max(1, Math.floor(fileCount / 10)));
  const texts = sample.map((f) => readFileSync(path.join(migrations, f), 'utf8'));
  const sampleBytes = texts.reduce((s, t) => s + Buffer.byteLength(t), 0);
  const t1 = performance.now();
  for (const t of texts) parseSync(t);
  const parserSeconds = (performance.now() - t1) / 1000;

  const mb = bytes / 1024 / 1024;
  const byRule: Record<string, number> = {};
  for (const f of findings) byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  process.stdout.write(
    `${JSON.stringify(
      {
        files: filesScanned,
        megabytes: round(mb),
        seconds_first_pass: round(seconds),
        mb_per_second_first_pass: round(mb / seconds),
        mb_per_second_median: round(mb / medianSeconds),
        passes: passes.map((p) => round(mb / p.seconds)),
        parser_alone_mb_per_second: round(sampleBytes / 1024 / 1024 / parserSeconds),
        findings: findings.length,
        findings_by_rule: byRule,
      },
      null,
      2,
    )}\n`,
  );
  process.stdout.write(
    `scan: ${round(mb / medianSeconds)} MB/s (median of ${passes.length} passes; first pass ${round(mb / seconds)} MB/s) over ${filesScanned} files (${round(mb)} MB); the parser alone: ${round(sampleBytes / 1024 / 1024 / parserSeconds)} MB/s\n`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
