import { createRequire } from 'node:module';
import v8 from 'node:v8';
import type { parseSync as ParseSync } from 'libpg-query';

// libpg-query 18 is WebAssembly: the module loads once (async), then parseSync is synchronous.
// It loads on the first statement that needs it, not before: most statements of a migration are
// judged by their tokens alone.
let loading: Promise<void> | undefined;
let parseSync: typeof ParseSync | undefined;

export function loadPgParser(): Promise<void> {
  loading ??= (async () => {
    // The parser reads a few statements per file: V8's baseline compiler (Liftoff) has it ready in
    // a third of the time, and the optimizing tier it would then start in the background costs a
    // short scan more than it saves (measured in bench/scan-cli-bench.ts). Only this module's
    // compile, which starts when the module is imported.
    v8.setFlagsFromString('--liftoff-only');
    try {
      // Loaded through require: the same CommonJS file through import() costs ~0.1 s more CPU at
      // start-up (the ESM loader's translation of the package and its re-exports; measured).
      const pg = createRequire(import.meta.url)('libpg-query') as typeof import('libpg-query');
      await pg.loadModule();
      parseSync = pg.parseSync;
    } finally {
      v8.setFlagsFromString('--no-liftoff-only');
    }
  })();
  return loading;
}

export interface ParsedStatement {
  node: Record<string, unknown>;
  /** Byte offset (UTF-8) of the statement in the text given to the parser. */
  byteLocation: number;
}

let calls = 0;
/** How many texts the parser has been given in this process (a test checks it stays bounded per statement). */
export function pgParserCalls(): number {
  return calls;
}

/** The statements of `sql` as the Postgres parser reads them, or the parser's message when it rejects the text. */
export function parsePostgres(sql: string): ParsedStatement[] | { error: string } {
  if (!parseSync) throw new PgParserNotLoaded();
  calls++;
  let result;
  try {
    result = parseSync(sql);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  return (result.stmts ?? []).map((s) => ({
    node: (s.stmt ?? {}) as Record<string, unknown>,
    byteLocation: s.stmt_location ?? 0,
  }));
}

/**
 * Several statements read in one call of the parser (a call costs more than a short statement's
 * parse): each text's statements, in order, or undefined for a text that did not read as exactly
 * one statement. Undefined for all when the parser rejects any of them (read them one by one then).
 */
export function parsePostgresBatch(texts: readonly string[]): (ParsedStatement[] | undefined)[] | undefined {
  if (!parseSync) throw new PgParserNotLoaded();
  const joined = texts.join(';\n');
  calls++;
  let result;
  try {
    result = parseSync(joined);
  } catch {
    return undefined;
  }
  // Where each text starts, in UTF-8 bytes (the parser's offsets); a statement after `;` starts at the newline.
  const starts: number[] = [];
  let at = 0;
  for (const t of texts) {
    starts.push(at);
    at += Buffer.byteLength(t) + 2;
  }
  const found: ParsedStatement[][] = texts.map(() => []);
  let i = 0;
  for (const s of result.stmts ?? []) {
    const location = s.stmt_location ?? 0;
    while (i + 1 < starts.length && (starts[i + 1] ?? 0) - 1 <= location) i++;
    found[i]?.push({ node: (s.stmt ?? {}) as Record<string, unknown>, byteLocation: location - (starts[i] ?? 0) });
  }
  return found.map((f) => (f.length === 1 && f[0] ? [{ node: f[0].node, byteLocation: 0 }] : undefined));
}

/** Thrown by parsePostgres before the parser is loaded: load it (loadPgParser) and scan again. */
export class PgParserNotLoaded extends Error {
  constructor() {
    super('parsePostgres called before loadPgParser() resolved');
  }
}

/**
 * Runs `scan` (which may call parsePostgres); when it needed the parser before it was loaded,
 * loads it and runs `scan` again. A scan is a pure reading of its text, so running it twice is safe.
 */
export async function withPgParser<T>(scan: () => Promise<T> | T): Promise<T> {
  try {
    return await scan();
  } catch (e) {
    if (!(e instanceof PgParserNotLoaded)) throw e;
    await loadPgParser();
    return scan();
  }
}
