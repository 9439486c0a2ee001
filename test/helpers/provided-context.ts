// What the global setup hands the tests (vitest's provide/inject).
declare module 'vitest' {
  export interface ProvidedContext {
    /** The throwaway PostgreSQL cluster's URL (its `postgres` database). */
    postgresUrl: string;
  }
}

export {};
