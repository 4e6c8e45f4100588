import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { APP, PUBLIC, SIGNED_IN, rolesAccess } from '../../core/auth/access.js';
import type { UserActor } from '../../core/auth/actor.js';
import { listDivisions } from '../../core/codes/index.js';
import { errorResponses, Page, PageQuery, paging } from '../../core/http/schemas.js';
import { ROUTE_ROLES } from './identity.policy.js';
import {
  AppSchema,
  ChangePasswordBody,
  CreateAppBody,
  CreateOrganisationBody,
  CreateUserBody,
  DivisionSchema,
  IdParams,
  LoginBody,
  LoginResponse,
  OrganisationKindSchema,
  OrganisationSchema,
  ResetPasswordBody,
  RoleSchema,
  SetRolesBody,
  UpdateOrganisationBody,
  UpdateUserBody,
  UserSchema,
} from './identity.schemas.js';
import type { IdentityService } from './identity.service.js';

const user = (actor: unknown): UserActor => actor as UserActor;

export const identityRoutes: FastifyPluginAsyncTypebox<{ identity: IdentityService }> = async (app, { identity }) => {
  // ---- sign-in ----
  app.post('/auth/login', {
    config: { access: PUBLIC },
    schema: {
      tags: ['auth'],
      summary: 'Sign in with username and password / 用户登录',
      body: LoginBody,
      response: { 200: LoginResponse, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => identity.login(request.body.username, request.body.password, { ip: request.ip }),
  });

  app.post('/auth/logout', {
    config: { access: SIGNED_IN },
    schema: { tags: ['auth'], summary: 'End this session / 退出登录', response: { 204: Type.Null(), ...errorResponses(401) } },
    handler: async (request, reply) => {
      await identity.logout(user(request.actor));
      return reply.status(204).send(null);
    },
  });

  app.get('/auth/me', {
    config: { access: SIGNED_IN },
    schema: { tags: ['auth'], summary: 'The signed-in user / 当前用户', response: { 200: Type.Object({ user: UserSchema }), ...errorResponses(401) } },
    handler: async (request) => ({ user: await identity.me(user(request.actor)) }),
  });

  app.post('/auth/password', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['auth'],
      summary: 'Change your own password / 修改密码',
      body: ChangePasswordBody,
      response: { 204: Type.Null(), ...errorResponses(400, 401) },
    },
    handler: async (request, reply) => {
      await identity.changeOwnPassword(user(request.actor), request.body.currentPassword, request.body.newPassword);
      return reply.status(204).send(null);
    },
  });

  // ---- divisions (GB/T 2260) ----
  app.get('/divisions', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['organisations'],
      summary: 'Administrative divisions (GB/T 2260) / 行政区划',
      querystring: Type.Object({ parent: Type.Optional(Type.String({ pattern: '^[0-9]{6}$' })) }),
      response: { 200: Type.Object({ items: Type.Array(DivisionSchema) }), ...errorResponses(400, 401) },
    },
    handler: async (request) => ({
      items: listDivisions(request.query.parent).map((d) => ({
        code: d.code,
        name: d.name,
        level: d.level,
        hasChildren: d.level !== 'county' && listDivisions(d.code).length > 0,
      })),
    }),
  });

  // ---- organisations ----
  app.get('/organisations', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['organisations'],
      summary: 'List organisations / 组织机构列表',
      querystring: Type.Object({
        q: Type.Optional(Type.String({ maxLength: 100 })),
        parentId: Type.Optional(IdParams.properties.id),
        kind: Type.Optional(OrganisationKindSchema),
        ...PageQuery,
      }),
      response: { 200: Page(OrganisationSchema), ...errorResponses(400, 401) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await identity.listOrganisations(request.actor, request.query, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/organisations/:id', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['organisations'],
      summary: 'One organisation / 组织机构详情',
      params: IdParams,
      response: { 200: OrganisationSchema, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => identity.getOrganisation(request.actor, request.params.id),
  });

  app.post('/organisations', {
    config: { access: rolesAccess(...ROUTE_ROLES.organisationWrite) },
    schema: {
      tags: ['organisations'],
      summary: 'Create an organisation / 新增组织机构',
      body: CreateOrganisationBody,
      response: { 201: OrganisationSchema, ...errorResponses(400, 401, 403, 409) },
    },
    handler: async (request, reply) => reply.status(201).send(await identity.createOrganisation(user(request.actor), request.body)),
  });

  app.patch('/organisations/:id', {
    config: { access: rolesAccess(...ROUTE_ROLES.organisationWrite) },
    schema: {
      tags: ['organisations'],
      summary: 'Change an organisation / 修改组织机构',
      params: IdParams,
      body: UpdateOrganisationBody,
      response: { 200: OrganisationSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => identity.updateOrganisation(user(request.actor), request.params.id, request.body),
  });

  // ---- users ----
  app.get('/users', {
    config: { access: rolesAccess(...ROUTE_ROLES.userRead) },
    schema: {
      tags: ['users'],
      summary: 'List users / 用户列表',
      querystring: Type.Object({
        q: Type.Optional(Type.String({ maxLength: 100 })),
        organisationId: Type.Optional(IdParams.properties.id),
        role: Type.Optional(RoleSchema),
        ...PageQuery,
      }),
      response: { 200: Page(UserSchema), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await identity.listUsers(request.actor, request.query, p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/users/:id', {
    config: { access: SIGNED_IN },
    schema: {
      tags: ['users'],
      summary: 'One user / 用户详情',
      params: IdParams,
      response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => identity.getUser(request.actor, request.params.id),
  });

  app.post('/users', {
    config: { access: rolesAccess(...ROUTE_ROLES.userWrite) },
    schema: {
      tags: ['users'],
      summary: 'Create an account (roles are granted by the security administrator) / 新增用户',
      body: CreateUserBody,
      response: { 201: UserSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.status(201).send(await identity.createUser(user(request.actor), request.body)),
  });

  app.patch('/users/:id', {
    config: { access: rolesAccess(...ROUTE_ROLES.userWrite) },
    schema: {
      tags: ['users'],
      summary: 'Change an account / 修改用户',
      params: IdParams,
      body: UpdateUserBody,
      response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => identity.updateUser(user(request.actor), request.params.id, request.body),
  });

  app.post('/users/:id/password', {
    config: { access: rolesAccess(...ROUTE_ROLES.userWrite) },
    schema: {
      tags: ['users'],
      summary: "Reset a user's password / 重置密码",
      params: IdParams,
      body: ResetPasswordBody,
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      await identity.resetPassword(user(request.actor), request.params.id, request.body.password);
      return reply.status(204).send(null);
    },
  });

  app.put('/users/:id/roles', {
    config: { access: rolesAccess(...ROUTE_ROLES.userRoles) },
    schema: {
      tags: ['users'],
      summary: 'Set the business roles of a user / 分配角色',
      params: IdParams,
      body: SetRolesBody,
      response: { 200: UserSchema, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => identity.setRoles(user(request.actor), request.params.id, request.body.roles),
  });

  app.post('/users/:id/unlock', {
    config: { access: rolesAccess(...ROUTE_ROLES.userUnlock) },
    schema: {
      tags: ['users'],
      summary: 'Unlock an account locked by failed sign-ins / 解锁账号',
      params: IdParams,
      response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request, reply) => {
      await identity.unlockUser(user(request.actor), request.params.id);
      return reply.status(204).send(null);
    },
  });

  // ---- app credentials ----
  app.get('/apps', {
    config: { access: rolesAccess(...ROUTE_ROLES.appUse) },
    schema: {
      tags: ['apps'],
      summary: "App credentials of your organisation (all, for the security administrator) / 应用凭证",
      querystring: Type.Object({ ...PageQuery }),
      response: { 200: Page(AppSchema), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const result = await identity.listApps(user(request.actor), p);
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.post('/apps', {
    config: { access: rolesAccess(...ROUTE_ROLES.appCreate) },
    schema: {
      tags: ['apps'],
      summary: 'Issue an app credential; the secret is shown only in this response / 创建应用凭证',
      body: CreateAppBody,
      response: { 201: Type.Intersect([AppSchema, Type.Object({ secret: Type.String() })]), ...errorResponses(400, 401, 403) },
    },
    handler: async (request, reply) => reply.status(201).send(await identity.createApp(user(request.actor), request.body.name)),
  });

  app.post('/apps/:id/revoke', {
    config: { access: rolesAccess(...ROUTE_ROLES.appUse) },
    schema: {
      tags: ['apps'],
      summary: 'Revoke an app credential at once / 吊销应用凭证',
      params: IdParams,
      response: { 200: AppSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => identity.revokeApp(user(request.actor), request.params.id),
  });

  // GET and POST: integrators check their signing of a request line, and of a body, before real calls.
  const whoami = {
    200: Type.Object({ appId: Type.String(), appKey: Type.String(), organisationId: Type.String() }),
    ...errorResponses(401),
  };
  const whoamiHandler = async (request: FastifyRequest) => {
    const actor = request.actor;
    if (actor.type !== 'app') throw new Error('unreachable: access APP guarantees an app actor');
    return { appId: actor.id, appKey: actor.appKey, organisationId: actor.organisationId };
  };

  app.get('/apps/whoami', {
    config: { access: APP },
    schema: {
      tags: ['apps'],
      summary: 'Check a signed request: which app and organisation it authenticates / 签名校验',
      response: whoami,
    },
    handler: whoamiHandler,
  });

  app.post('/apps/whoami', {
    config: { access: APP },
    schema: {
      tags: ['apps'],
      summary: 'Check a signed request with a body (the signature covers SM3 of the body) / 签名校验（含请求体）',
      body: Type.Optional(Type.Unknown()),
      response: whoami,
    },
    handler: whoamiHandler,
  });
};
