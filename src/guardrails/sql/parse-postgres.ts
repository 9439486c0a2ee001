import { loadModule, parseSync } from 'libpg-query';

// libpg-query 18 is WebAssembly: the module loads once (async), then parseSync is synchronous.
let loading: Promise<void> | undefined;
let loaded = false;

export function loadPgParser(): Promise<void> {
  loading ??= loadModule().then(() => {
    loaded = true;
  });
  return loading;
}

/** Starts loading the parser without waiting for it; a failure surfaces where it is awaited. */
export function warmPgParser(): Promise<void> {
  const loading = loadPgParser();
  loading.catch(() => undefined);
  return loading;
}

export interface ParsedStatement {
  node: Record<string, unknown>;
  /** Byte offset (UTF-8) of the statement in the text given to the parser. */
  byteLocation: number;
}

/** The statements of `sql` as the Postgres parser reads them, or the parser's message when it rejects the text. */
export function parsePostgres(sql: string): ParsedStatement[] | { error: string } {
  if (!loaded) throw new Error('parsePostgres called before loadPgParser() resolved');
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
