export { ObjectionService, type ObjectionServiceOptions } from './objections.service.js';
export { objectionRoutes } from './objections.routes.js';
export { OBJECTION_NOTIFICATION_KINDS } from './objections.notifications.js';
export type * from './objections.types.js';
