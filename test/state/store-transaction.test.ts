import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/state/store.js';
import { removeWorkspaces } from '../helpers/workspace.js';
import { STORES, withStore } from './stores.js';

afterEach(removeWorkspaces);

const row = (taskId: string, status: string) => ({ task_id: taskId, status, file_status: null, iterations: 0, base_iteration: 0, last_error: null, reason: null });
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

// How many messages node-postgres is asked to send (its Client.query, observed, not replaced).
function countMessages(): () => number {
  const query = pg.Client.prototype.query;
  let n = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    n++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  return () => {
    pg.Client.prototype.query = query;
    return n;
  };
}

describe.each(STORES)('$name store transactions', ({ name, open }) => {
  it('answer a read taken after the commit as read in its place among the writes (PostgreSQL: all of it one message)', async () => {
    await withStore(open, async (store) => {
      await store.transaction((t) => t.saveTask('p', row('A', 'blocked'))); // a connection that has just answered
      const stop = countMessages();
      let got: { read: Promise<unknown>; id: Promise<number>; later: Promise<unknown> };
      try {
        got = await store.transaction(async (t) => {
          await t.saveTask('p', row('A', 'pending'));
          const read = t.task('p', 'A');
          await t.saveTask('p', row('A', 'complete'));
          return { read, id: t.beginIteration('p', 'A', 1, 'r1'), later: t.task('p', 'A') };
        });
      } finally {
        const sent = stop();
        if (name === 'postgres') expect(sent).toBe(1);
      }
      expect(await got.read).toMatchObject({ status: 'pending' });
      expect(await got.later).toMatchObject({ status: 'complete' });
      expect((await store.iterations('p', 'A')).map((it) => it.id)).toEqual([await got.id]);
      // Awaited inside, a read is sent at once: what it answers decides what the transaction does.
      const decided = await store.transaction(async (t) => {
        await t.saveTask('p', row('B', 'pending'));
        const b = await t.task('p', 'B');
        if (b?.status === 'pending') await t.saveTask('p', row('B', 'in_progress'));
        return (await t.task('p', 'B'))?.status;
      });
      expect(decided).toBe('in_progress');
    });
  });

  it('run the same statements again after a transaction that failed among them (PostgreSQL: what it prepared on the way may or may not be there)', async () => {
    await withStore(open, async (store) => {
      for (let round = 0; round < 3; round++) {
        const said = await store
          .transaction(async (t) => {
            await t.addEvent('p', 'r1', `X${round}`, 'task:start');
            await t.saveTask('p', row(`F${round}`, null as unknown as string)); // fails, after the event's statement ran
          })
          .then(
            () => 'committed',
            () => 'failed',
          );
        expect(said).toBe('failed');
        await store.transaction(async (t) => {
          await t.addEvent('p', 'r1', `Y${round}`, 'task:start');
          await t.saveTask('p', row(`G${round}`, 'pending'));
        });
      }
      expect([...(await store.tasks('p')).keys()].sort()).toEqual(['G0', 'G1', 'G2']);
    });
  });

  it('fail a read taken after a commit that failed, and no read nobody awaited is an unhandled rejection', async () => {
    await withStore(open, async (store) => {
      let read: Promise<unknown> | undefined;
      const said = await store
        .transaction(async (t) => {
          read = t.task('p', 'A');
          await t.saveTask('p', row('A', null as unknown as string)); // fails at the commit (PostgreSQL) or at once (SQLite)
          t.task('p', 'A'); // nobody awaits this one
        })
        .then(
          () => 'committed',
          () => 'failed',
        );
      expect(said).toBe('failed');
      // PostgreSQL: the read went with the failed message; SQLite answered it at once.
      if (name === 'postgres') await expect(read).rejects.toThrow();
      else expect(await read).toBeUndefined();
      expect(await store.task('p', 'A')).toBeUndefined();
    });
  });

  it('keep other work of the process out: a write made meanwhile is not part of it, and survives its rollback', async () => {
    await withStore(open, async (store) => {
      const tx = store
        .transaction(async (t) => {
          await t.saveTask('p', row('A', 'in_progress'));
          await pause(30);
          throw new Error('rolled back');
        })
        .catch((e: Error) => e.message);
      await pause(5);
      const outside = store.saveTask('p', row('B', 'complete'));
      const [said] = await Promise.all([tx, outside]);
      expect(said).toBe('rolled back');
      expect(await store.task('p', 'A')).toBeUndefined();
      expect((await store.task('p', 'B'))?.status).toBe('complete');
    });
  });

  it('run one at a time', async () => {
    await withStore(open, async (store) => {
      let inside = 0;
      let most = 0;
      await Promise.all(
        [1, 2, 3, 4].map((n) =>
          store.transaction(async (t) => {
            most = Math.max(most, ++inside);
            await t.saveTask('p', row(`T${n}`, 'pending'));
            await pause(5);
            inside--;
          }),
        ),
      );
      expect(most).toBe(1);
      expect((await store.tasks('p')).size).toBe(4);
    });
  });

  it('nest: an inner transaction that throws rolls back alone', async () => {
    await withStore(open, async (store) => {
      await store.transaction(async (t) => {
        await t.saveTask('p', row('OUTER', 'pending'));
        await t
          .transaction(async (inner) => {
            await inner.saveTask('p', row('INNER', 'pending'));
            throw new Error('inner fails');
          })
          .catch(() => undefined);
      });
      expect(await store.task('p', 'OUTER')).toBeDefined();
      expect(await store.task('p', 'INNER')).toBeUndefined();
    });
  });

  // PostgreSQL sends a transaction's writes written out as literals, with its next message: text
  // that looks like SQL, quoting or parameters must come back exactly as given.
  it('keep text exactly as given, in a transaction and outside one', async () => {
    const texts = [
      "it's", "''", "\\", "back\\slash 'and' quote", "$1 $2::text $$ $tag$ x $tag$", "'; DROP TABLE tasks; --", "/* not a comment */ -- nor this",
      'line\nbreak\ttab\r', 'naïve 日本語 🚀', "E'\\x41'", '%s %d {}', ';', '"double"', '\\\'',
    ];
    await withStore(open, async (store) => {
      await store.transaction(async (t) => {
        for (const [i, text] of texts.entries()) await t.saveTask('p', { ...row(`T${i}`, 'pending'), reason: text, last_error: text });
      });
      for (const [i, text] of texts.entries()) await store.saveTask('p', { ...row(`U${i}`, 'pending'), reason: text });
      for (const [i, text] of texts.entries()) {
        expect([(await store.task('p', `T${i}`))?.reason, (await store.task('p', `T${i}`))?.last_error]).toEqual([text, text]);
        expect((await store.task('p', `U${i}`))?.reason).toBe(text);
      }
      // A NUL cannot travel in a written-out statement: that write goes with its parameters, and the
      // database's own refusal (PostgreSQL's text has no NUL) fails the transaction, which wrote nothing.
      const nul = await store
        .transaction(async (t) => {
          await t.saveTask('p', row('BEFORE-NUL', 'pending'));
          await t.saveTask('p', { ...row('NUL', 'pending'), reason: 'a\0b' });
        })
        .then(
          () => 'stored',
          () => 'refused',
        );
      if (nul === 'refused') expect(await store.task('p', 'BEFORE-NUL')).toBeUndefined();
      else expect((await store.task('p', 'NUL'))?.reason).toBe('a\0b');
    });
  });

  it('fail as a whole when a write in them fails, even one whose failure is known only at the commit', async () => {
    await withStore(open, async (store) => {
      await store.insertDeployment('p', 'd-1', '{"n":1}');
      const said = await store
        .transaction(async (t) => {
          await t.saveTask('p', row('A', 'complete'));
          await t.addEvent('p', 'r', 'A', 'task:end', { ok: true });
          await t.insertDeployment('p', 'd-2', '{"n":2}');
          await t.saveTask('p', row('BAD', null as unknown as string)); // a status is required: PostgreSQL says so at the commit
          await t.saveTask('p', row('B', 'complete'));
        })
        .then(
          () => 'committed',
          (e: Error) => e.message,
        );
      expect(said).not.toBe('committed');
      expect(await store.task('p', 'A')).toBeUndefined();
      expect(await store.task('p', 'B')).toBeUndefined();
      expect((await store.deployments('p')).map((d) => d.record)).toEqual(['{"n":1}']);
      // The store is whole after it: the next transaction commits.
      await store.transaction((t) => t.saveTask('p', row('C', 'complete')));
      expect((await store.task('p', 'C'))?.status).toBe('complete');
    });
  });

  it('commit a transaction of many writes whole, or none of it when one fails past the first messages', async () => {
    await withStore(open, async (store) => {
      await store.transaction(async (t) => {
        for (let i = 0; i < 700; i++) await t.saveTask('p', row(`M${i}`, 'pending'));
      });
      expect((await store.tasks('p')).size).toBe(700);
      const said = await store
        .transaction(async (t) => {
          for (let i = 0; i < 700; i++) await t.saveTask('p', row(`N${i}`, i === 600 ? (null as unknown as string) : 'pending'));
        })
        .then(
          () => 'committed',
          () => 'failed',
        );
      expect(said).toBe('failed');
      expect((await store.tasks('p')).size).toBe(700);
    });
  });

  it('nest: an inner transaction whose write fails rolls back alone, and the outer one commits', async () => {
    await withStore(open, async (store) => {
      await store.insertDeployment('p', 'd-1', '{"n":1}');
      const inner = await store.transaction(async (t) => {
        await t.saveTask('p', row('OUTER', 'pending'));
        const said = await t
          .transaction(async (i) => {
            await i.saveTask('p', row('INNER', 'pending'));
            await i.insertDeployment('p', 'd-2', '{"n":2}');
            await i.saveTask('p', row('BAD', null as unknown as string)); // a status is required
          })
          .then(
            () => 'committed',
            () => 'failed',
          );
        await t.saveTask('p', row('AFTER', 'pending'));
        return said;
      });
      expect(inner).toBe('failed');
      expect(await store.task('p', 'OUTER')).toBeDefined();
      expect(await store.task('p', 'AFTER')).toBeDefined();
      expect(await store.task('p', 'INNER')).toBeUndefined();
      expect((await store.deployments('p')).length).toBe(1);
    });
  });

  it('refuse the store of a transaction once it has ended', async () => {
    await withStore(open, async (store) => {
      let leaked: Store | undefined;
      await store.transaction(async (t) => {
        leaked = t;
      });
      await expect(leaked!.task('p', 'A')).rejects.toThrow(/after the transaction ended/);
    });
  });
});
