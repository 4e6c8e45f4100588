import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../core/db/migrations.js';

export { ResourceService, type Resource, type LoadResult, type LoadRecord } from './resources.service.js';
export { resourceRoutes } from './resources.routes.js';
export { defaultSpoolDir } from './resources.load.js';

export const resourceMigrations: MigrationSource = {
  module: 'resources',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
