import type { Kysely, Transaction } from 'kysely';

/**
 * The typed shape of every table. Each module adds its own tables by declaration merging in its
 * repository file (`declare module '../../core/db/database.js' { interface Database { ... } }`), so
 * the core never imports a module and a module's tables stay next to the code that owns them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Database {}

/** What repositories take as their first argument: the database or an open transaction. */
export type Executor = Kysely<Database>;
export type Trx = Transaction<Database>;

export type Engine = 'pglite' | 'postgres';
