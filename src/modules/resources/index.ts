import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../core/db/migrations.js';

export { ResourceService, type Resource, type LoadResult, type LoadRecord, type ResourceServiceOptions } from './resources.service.js';
export { defaultUpstreamHosts, type ApiView, type InvokeResult, type UpstreamHosts } from './resources.api.js';
export type { FileVersion } from './resources.files.js';
export { resourceRoutes } from './resources.routes.js';
export { defaultSpoolDir } from './resources.load.js';

export const resourceMigrations: MigrationSource = {
  module: 'resources',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
