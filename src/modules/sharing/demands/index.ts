export { DemandService, type DemandServiceOptions } from './demands.service.js';
export { demandRoutes } from './demands.routes.js';
export { DEMAND_NOTIFICATION_KINDS } from './demands.notifications.js';
export type * from './demands.types.js';
