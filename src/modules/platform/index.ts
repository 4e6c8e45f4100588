import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../core/db/migrations.js';

export { CalendarService } from './calendar.service.js';
export { platformRoutes } from './platform.routes.js';
export * as platformSettings from './platform.repository.js';

export const platformMigrations: MigrationSource = {
  module: 'platform',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
