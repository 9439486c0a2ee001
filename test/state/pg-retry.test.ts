import { describe, expect, it } from 'vitest';
import { StoreUnavailable } from '../../src/state/pg-failure.js';
import { transactionLost } from '../../src/state/pg-retry.js';

// The rule a run's PostgreSQL store uses to run a write transaction again once the database is back.
describe('a transaction whose connection was lost', () => {
  const failure = (code: string, message = 'lost'): Error => new StoreUnavailable(message, code);

  it('runs again when the connection broke before the commit was sent (the server rolled it back)', () => {
    expect(transactionLost(failure('PG_57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(transactionLost(failure('PG_ECONNREFUSED'))).toBe(true);
    expect(transactionLost(failure('PG_CONNECTION', 'Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(transactionLost(Object.assign(failure('PG_CONNECTION', 'Client has encountered a connection error and is not queryable'), { atCommit: true }))).toBe(true);
  });

  it('never when the COMMIT was under way (it may have committed) or the failure is not the connection', () => {
    expect(transactionLost(Object.assign(failure('PG_57P01', 'terminating connection due to administrator command'), { atCommit: true }))).toBe(false);
    expect(transactionLost(Object.assign(failure('PG_ECONNRESET'), { atCommit: true }))).toBe(false);
    expect(transactionLost(Object.assign(new Error('duplicate key value'), { code: 'PG_23505' }))).toBe(false);
  });
});
