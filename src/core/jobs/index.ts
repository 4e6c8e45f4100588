import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../db/migrations.js';

export { JobQueue, JobLeaseLostError, type Job, type JobContext, type JobHandler, type AttemptFailure, type EnqueueInput, type TickResult } from './queue.js';
export { retryDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
export type { JobError, JobStatus } from './jobs.repository.js';

/** The jobs table: applied before the modules that enqueue jobs. */
export const jobMigrations: MigrationSource = {
  module: 'jobs',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
