import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import { PUBLIC, SIGNED_IN, rolesAccess } from '../../core/auth/access.js';
import type { UserActor } from '../../core/auth/actor.js';
import type { Config } from '../../core/config.js';
import type { Db } from '../../core/db/db.js';
import { UnavailableError } from '../../core/errors.js';
import { errorResponses, Nullable } from '../../core/http/schemas.js';
import { coversYear } from '../../core/calendar/index.js';
import type { CalendarService } from './calendar.service.js';

const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const Override = Type.Object({ date: DateString, isWorkingDay: Type.Boolean(), note: Type.String() });
const Day = Type.Object({
  date: DateString,
  isWorkingDay: Type.Boolean(),
  kind: Type.Union([Type.Literal('workday'), Type.Literal('weekend'), Type.Literal('holiday'), Type.Literal('adjusted_workday')]),
  holidayName: Type.Optional(Type.String()),
  override: Type.Optional(Override),
});

export interface PlatformRouteOptions {
  db: Db;
  config: Config;
  calendar: CalendarService;
  publicKey: string;
}

export const platformRoutes: FastifyPluginAsyncTypebox<PlatformRouteOptions> = async (app, { db, config, calendar, publicKey }) => {
  app.get('/health', {
    config: { access: PUBLIC },
    schema: {
      tags: ['node'],
      summary: 'Liveness and database reachability / 健康检查',
      response: {
        200: Type.Object({
          status: Type.Literal('ok'),
          node: Type.Object({ code: Type.String(), level: Type.String() }),
          database: Type.Union([Type.Literal('pglite'), Type.Literal('postgres')]),
        }),
        ...errorResponses(503),
      },
    },
    handler: async () => {
      try {
        await sql`select 1`.execute(db.kysely);
      } catch (cause) {
        throw new UnavailableError('DATABASE_UNAVAILABLE', 'The database cannot be reached', '数据库不可用', undefined, cause);
      }
      return { status: 'ok' as const, node: { code: config.node.code, level: config.node.level }, database: db.engine };
    },
  });

  app.get('/node', {
    config: { access: PUBLIC },
    schema: {
      tags: ['node'],
      summary: 'This platform node / 本节点信息',
      response: {
        200: Type.Object({
          code: Type.String(),
          name: Type.String(),
          level: Type.String(),
          parentCode: Nullable(Type.String()),
          publicKey: Type.String({ description: 'SM2 public key that signs ledger tree heads' }),
        }),
      },
    },
    handler: async () => ({ ...config.node, publicKey }),
  });

  app.get('/calendar/days', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['calendar'],
      summary: 'Working days in a date range / 工作日历',
      querystring: Type.Object({ from: DateString, to: DateString }),
      response: {
        200: Type.Object({
          items: Type.Array(Day),
          uncoveredYears: Type.Array(Type.Integer(), {
            description: 'Years in the range without the official holiday schedule: only weekends and overrides are days off',
          }),
        }),
        ...errorResponses(400, 401),
      },
    },
    handler: async (request) => {
      const { from, to } = request.query;
      const years = Array.from({ length: Number(to.slice(0, 4)) - Number(from.slice(0, 4)) + 1 }, (_, i) => Number(from.slice(0, 4)) + i);
      return { items: await calendar.listDays(from, to), uncoveredYears: years.filter((y) => !coversYear(y)) };
    },
  });

  app.get('/calendar/working-days', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['calendar'],
      summary: 'The Nth working day after a date / 计算工作日期限',
      querystring: Type.Object({ from: DateString, days: Type.Integer({ minimum: 1, maximum: 3650 }) }),
      response: { 200: Type.Object({ from: DateString, days: Type.Integer(), date: DateString }), ...errorResponses(400, 401) },
    },
    handler: async (request) => ({
      from: request.query.from,
      days: request.query.days,
      date: await calendar.addWorkingDays(request.query.from, request.query.days),
    }),
  });

  app.get('/calendar/overrides', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['calendar'],
      summary: 'Working-day overrides / 工作日人工调整',
      response: { 200: Type.Object({ items: Type.Array(Override) }), ...errorResponses(401) },
    },
    handler: async () => ({ items: await calendar.listOverrides() }),
  });

  app.put('/calendar/overrides/:date', {
    config: { access: rolesAccess('platform_admin') },
    schema: {
      tags: ['calendar'],
      summary: 'Make a date a working day or a day off / 设置工作日调整',
      params: Type.Object({ date: DateString }),
      body: Type.Object({ isWorkingDay: Type.Boolean(), note: Type.String({ minLength: 1, maxLength: 200 }) }),
      response: { 200: Override, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      await calendar.setOverride(request.actor as UserActor, request.params.date, request.body.isWorkingDay, request.body.note);
      return { date: request.params.date, isWorkingDay: request.body.isWorkingDay, note: request.body.note.trim() };
    },
  });

  app.delete('/calendar/overrides/:date', {
    config: { access: rolesAccess('platform_admin') },
    schema: {
      tags: ['calendar'],
      summary: 'Remove an override / 删除工作日调整',
      params: Type.Object({ date: DateString }),
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      await calendar.removeOverride(request.actor, request.params.date);
      return reply.status(204).send(null);
    },
  });
};
