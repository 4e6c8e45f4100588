import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../core/db/migrations.js';

export {
  NotificationsService,
  DEFAULT_READ_RETENTION_DAYS,
  type Audience,
  type Notification,
  type NotificationInput,
  type NotificationRenderer,
  type NotificationText,
  type Notifier,
} from './notifications.service.js';
export { notificationRoutes } from './notifications.routes.js';

export const notificationMigrations: MigrationSource = {
  module: 'notifications',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
