import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../core/db/migrations.js';

export { CatalogService, type CatalogEntry, type CatalogVersion, type CatalogDiff, type InformationSystem } from './catalog.service.js';
export { defaultCodeGenerator, type CatalogCodeGenerator } from './catalog.codes.js';
export { PII_KINDS } from './catalog.rules.js';
export { catalogRoutes } from './catalog.routes.js';
export { catalogDeadlineRoutes } from './catalog.deadlines.routes.js';
export { CATALOG_NOTIFICATION_KINDS } from './catalog.deadlines.notifications.js';
export { DEFAULT_DEADLINE_RULES, type Deadline, type DeadlineRules, type LinkedResource } from './catalog.deadlines.js';

export const catalogMigrations: MigrationSource = {
  module: 'catalog',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
