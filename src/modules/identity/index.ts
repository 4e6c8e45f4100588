import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../core/db/migrations.js';

export { IdentityService, stringToSign, type User, type Organisation, type AppCredential } from './identity.service.js';
export { identityRoutes } from './identity.routes.js';

export const identityMigrations: MigrationSource = {
  module: 'identity',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
