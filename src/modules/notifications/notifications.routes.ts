import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { SIGNED_IN } from '../../core/auth/access.js';
import { errorResponses, Page, PageQuery, paging } from '../../core/http/schemas.js';
import { NotificationParams, NotificationSchema } from './notifications.schemas.js';
import type { NotificationsService } from './notifications.service.js';

/** Every signed-in person reads and marks their own notifications only. */
export const notificationRoutes: FastifyPluginAsyncTypebox<{ notifications: NotificationsService }> = async (app, { notifications }) => {
  app.get('/notifications', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['notifications'],
      summary: 'Your notifications, newest first / 我的通知',
      querystring: Type.Object({ unread: Type.Optional(Type.Boolean({ description: 'Only unread ones' })), ...PageQuery }),
      response: {
        200: Type.Intersect([Page(NotificationSchema), Type.Object({ unread: Type.Integer({ minimum: 0, description: 'Unread notifications in all' }) })]),
        ...errorResponses(400, 401),
      },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await notifications.list(request.actor, { unread: request.query.unread }, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.post('/notifications/read-all', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['notifications'],
      summary: 'Mark all your notifications read / 全部标为已读',
      response: { 200: Type.Object({ updated: Type.Integer({ minimum: 0 }) }), ...errorResponses(401) },
    },
    handler: async (request) => notifications.markAllRead(request.actor),
  });

  app.post('/notifications/:id/read', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['notifications'],
      summary: 'Mark one of your notifications read / 标为已读',
      params: NotificationParams,
      response: { 204: Type.Null(), ...errorResponses(400, 401, 404) },
    },
    handler: async (request, reply) => {
      await notifications.markRead(request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  });
};
