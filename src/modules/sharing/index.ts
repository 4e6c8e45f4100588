import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../core/db/migrations.js';

export { SharingService, SHARING_NOTIFICATION_KINDS, type SharingServiceOptions } from './sharing.service.js';
export { sharingRoutes } from './sharing.routes.js';
export { GatewayService, type GatewayServiceOptions } from './gateway/gateway.service.js';
export { gatewayRoutes } from './gateway/gateway.routes.js';
export { SubscriptionService } from './feeds/subscriptions.js';
export { WebhookDispatcher } from './feeds/webhooks.js';
export { feedRoutes } from './feeds/feeds.routes.js';
export { ExportService, exportRoutes, type Export, type ExportServiceOptions } from './exports/index.js';
export { DemandService, demandRoutes, DEMAND_NOTIFICATION_KINDS, type Demand, type DemandServiceOptions } from './demands/index.js';
export { ObjectionService, objectionRoutes, OBJECTION_NOTIFICATION_KINDS, type Objection, type ObjectionServiceOptions } from './objections/index.js';
export * from './sharing.types.js';

export const sharingMigrations: MigrationSource = {
  module: 'sharing',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
