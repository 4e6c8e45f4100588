import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../core/db/migrations.js';

export { SharingService, SHARING_NOTIFICATION_KINDS, type SharingServiceOptions } from './sharing.service.js';
export { sharingRoutes } from './sharing.routes.js';
export { GatewayService, type GatewayServiceOptions } from './gateway/gateway.service.js';
export { gatewayRoutes } from './gateway/gateway.routes.js';
export * from './sharing.types.js';

export const sharingMigrations: MigrationSource = {
  module: 'sharing',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
