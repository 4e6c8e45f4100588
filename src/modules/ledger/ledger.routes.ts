import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { rolesAccess } from '../../core/auth/access.js';
import { errorResponses, IsoTime, Page, PageQuery, paging } from '../../core/http/schemas.js';
import type { LedgerService } from './ledger.service.js';

const Hex = Type.String({ pattern: '^[0-9a-f]*$' });

const HeadSchema = Type.Object(
  {
    treeSize: Type.Integer({ minimum: 0 }),
    rootHash: Hex,
    signature: Hex,
    timestamp: IsoTime,
    signedPayload: Type.String({ description: 'The exact RFC 8785 text that was signed with SM2' }),
    publicKey: Hex,
  },
  { $id: 'LedgerHead' },
);

const EntryView = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    entry: Type.Object(
      {
        seq: Type.Integer(),
        time: IsoTime,
        node: Type.String(),
        actor: Type.Record(Type.String(), Type.Unknown()),
        action: Type.String(),
        subject: Type.Object({ type: Type.String(), id: Type.String() }),
        payloadDigest: Hex,
      },
      { additionalProperties: true },
    ),
    canonical: Type.String({ description: 'The RFC 8785 text whose SM3 leaf hash is in the tree' }),
    leafHash: Hex,
    payload: Type.Unknown(),
  },
  { $id: 'LedgerEntry' },
);

const Proof = Type.Object(
  {
    leafIndex: Type.Integer({ minimum: 0 }),
    treeSize: Type.Integer({ minimum: 1 }),
    rootHash: Hex,
    path: Type.Array(Hex),
  },
  { $id: 'LedgerProof' },
);

// Only the audit administrator reads the ledger: it records everyone's actions (三员分立).
const AUDIT = rolesAccess('audit_admin');

export const ledgerRoutes: FastifyPluginAsyncTypebox<{ ledger: LedgerService }> = async (app, { ledger }) => {
  app.get('/ledger/head', {
    config: { access: AUDIT },
    schema: {
      tags: ['ledger'],
      summary: 'The latest signed tree head / 最新签名树根',
      response: { 200: HeadSchema, ...errorResponses(401, 403) },
    },
    handler: async () => ledger.head(),
  });

  app.get('/ledger/entries', {
    config: { access: AUDIT },
    schema: {
      tags: ['ledger'],
      summary: 'Ledger entries, newest first / 存证记录',
      querystring: Type.Object({
        action: Type.Optional(Type.String({ maxLength: 100, description: 'prefix, e.g. identity.user' })),
        actor: Type.Optional(Type.String({ maxLength: 100, description: 'actor id' })),
        subjectType: Type.Optional(Type.String({ maxLength: 50 })),
        subjectId: Type.Optional(Type.String({ maxLength: 100 })),
        ...PageQuery,
      }),
      response: { 200: Page(EntryView), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => {
      const p = paging(request.query);
      const q = request.query;
      const result = await ledger.entries(
        { action: q.action, actorId: q.actor, subjectType: q.subjectType, subjectId: q.subjectId },
        p.page,
        p.pageSize,
      );
      return { ...result, page: p.page, pageSize: p.pageSize };
    },
  });

  app.get('/ledger/entries/:seq', {
    config: { access: AUDIT },
    schema: {
      tags: ['ledger'],
      summary: 'One ledger entry / 单条存证记录',
      params: Type.Object({ seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }),
      response: { 200: EntryView, ...errorResponses(400, 401, 403, 404) },
    },
    handler: async (request) => ledger.entry(request.params.seq),
  });

  app.get('/ledger/proof', {
    config: { access: AUDIT },
    schema: {
      tags: ['ledger'],
      summary: 'RFC 9162 inclusion proof of an entry / 存证包含性证明',
      querystring: Type.Object({
        seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
        treeSize: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'default: the latest signed head' })),
      }),
      response: { 200: Proof, ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => ledger.proof(request.query.seq, request.query.treeSize),
  });
};
