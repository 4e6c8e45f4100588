import { NotFoundError } from '../../core/errors.js';

/** The notifications module's refusals; codes are part of the public contract. */
export const notificationErrors = {
  // Another user's notification does not exist for the caller.
  notFound: (id: string) => new NotFoundError('NOTIFICATION_NOT_FOUND', `Notification ${id} does not exist`, `通知 ${id} 不存在`, { id }),
};
