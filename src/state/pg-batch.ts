import { inlineArguments } from './pg-inline.js';

// What one connection has prepared for batches (SQL PREPARE), under a generation: a batch that fails
// may or may not have run its PREPAREs (a rollback does not undo one), so its connection then
// prepares under new names.
interface Prepared {
  generation: number;
  names: Set<string>;
}
const preparedOn = new WeakMap<object, Prepared>();
// The statement texts given a number (the store's own statements: a bounded set; one outside
// them, a long tail, gets none and goes unprepared).
const numbers = new Map<string, number>();
const MOST_NUMBERED = 500;

/** Statements side by side in one message, and which statement each answer belongs to (-1: a PREPARE). */
export interface Batch {
  text: string;
  owners: number[];
  /** How many statements, from the first, it carries. */
  count: number;
  prepares: string[];
}

export interface Statement {
  sql: string;
  params: unknown[];
}

/**
 * The statements from `from` that can go in one message (the simple query protocol), two or more,
 * else undefined. One with parameters runs as `EXECUTE` of a statement the connection prepared
 * (`PREPARE` going first the first time): parsed and planned once a connection, where a statement
 * written out with its values is parsed and planned at every call. One that cannot be written out
 * (see pg-inline.ts) ends the batch.
 */
export function batchOf(connection: object, statements: readonly Statement[], from: number): Batch | undefined {
  if (statements.length - from < 2) return undefined;
  let state = preparedOn.get(connection);
  if (!state) preparedOn.set(connection, (state = { generation: 0, names: new Set() }));
  const texts: string[] = [];
  const owners: number[] = [];
  const prepares: string[] = [];
  let j = from;
  for (; j < statements.length; j++) {
    const { sql, params } = statements[j]!;
    if (params.length === 0) {
      texts.push(sql);
      owners.push(j);
      continue;
    }
    const args = inlineArguments(sql, params);
    const number = args && numberOf(sql);
    if (!args || number === undefined) break;
    const name = `alb${state.generation}_${number}`;
    if (!state.names.has(name) && !prepares.includes(name)) {
      texts.push(`PREPARE ${name} AS ${sql}`);
      owners.push(-1);
      prepares.push(name);
    }
    texts.push(`EXECUTE ${name}(${args.join(', ')})`);
    owners.push(j);
  }
  if (j - from < 2) return undefined;
  return { text: texts.join(';\n'), owners, count: j - from, prepares };
}

/** The batch was answered (`ok`: every statement of it ran) or failed. */
export function batchDone(connection: object, batch: Batch, ok: boolean): void {
  const state = preparedOn.get(connection);
  if (!state) return;
  if (ok) for (const name of batch.prepares) state.names.add(name);
  else if (batch.prepares.length > 0 || state.names.size > 0) {
    state.generation++;
    state.names.clear();
  }
}

/** The number of a statement text, for the names it is prepared under (on either path). */
export function numberOf(sql: string): number | undefined {
  let n = numbers.get(sql);
  if (n === undefined) {
    if (numbers.size >= MOST_NUMBERED) return undefined;
    numbers.set(sql, (n = numbers.size + 1));
  }
  return n;
}
