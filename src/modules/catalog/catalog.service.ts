import type { Actor, UserActor } from '../../core/auth/actor.js';
import type { Db } from '../../core/db/db.js';
import type { Executor, Trx } from '../../core/db/database.js';
import { forbidden } from '../../core/errors.js';
import type { Paging } from '../../core/http/schemas.js';
import { appendLedger } from '../../core/ledger/ledger.js';
import type { IdentityService } from '../identity/index.js';
import type { Notifier } from '../notifications/index.js';
import type { CalendarService } from '../platform/index.js';
import { defaultCodeGenerator, type CatalogCodeGenerator } from './catalog.codes.js';
import { CatalogDeadlines, type DeadlineRules, type LinkedResource, type ResourceKind } from './catalog.deadlines.js';
import { catalogErrors as E, type EntryProblem } from './catalog.errors.js';
import { can, isInsider, reviewerOrganisation } from './catalog.policy.js';
import * as repo from './catalog.repository.js';
import { importCatalogWorkbook, type ImportResult } from './catalog.import.js';
import { checkEntry } from './catalog.rules.js';
import { highlight, highlightTerms, searchDocument, searchVector, type Highlight } from './catalog.search.js';
import type { CatalogEntryInputType } from './catalog.schemas.js';
import type { CatalogContent, EntryStatus, InfoItem, ReturnReasonType, VersionStatus } from './catalog.types.js';

export interface InformationSystem {
  id: string;
  organisationId: string;
  name: string;
  description: string;
  createdAt: string;
}

export interface CatalogEntry extends CatalogContent {
  id: string;
  code: string;
  /** What the caller sees: the latest version's for the provider and its reviewers, else the version in force. */
  status: EntryStatus;
  version: number;
  versionStatus: VersionStatus;
  publishedVersion: number | null;
  provider: { id: string; name: string; code: string };
  reviewerOrganisationId: string | null;
  returnReasons: ReturnReasonType[] | null;
  retiredReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CatalogVersion {
  version: number;
  status: VersionStatus;
  content: CatalogContent;
  returnReasons: ReturnReasonType[] | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  submittedBy: string | null;
  submittedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface CatalogDiff {
  from: number;
  to: number;
  fields: FieldChange[];
  items: { added: InfoItem[]; removed: InfoItem[]; changed: Array<{ column: string; changes: FieldChange[] }> };
}

export type Facets = repo.Facets;

/** A search result: the entry as the caller sees it, and where the query matched. */
export type CatalogSearchHit = CatalogEntry & { highlights: Highlight[] };

export interface CatalogOptions {
  db: Db;
  identity: Pick<IdentityService, 'getOrganisation' | 'responsibleAuthority'>;
  /** How codes are made; provinces differ (default: 类项目细目-credit code-sequence). */
  codes?: CatalogCodeGenerator;
  /** The working-day calendar for deadlines (with the administrator's overrides); default: the official schedule. */
  calendar?: Pick<CalendarService, 'calendar'>;
  /** Where transitions and deadline reminders are announced (none: nobody is told). */
  notifications?: Notifier;
  /** The clock of deadlines (tests inject one). */
  now?: () => Date;
  /** Guideline 四(二)3 periods in working days (default 20, due soon at 5). */
  deadlineRules?: Partial<DeadlineRules>;
}

/** Versions an outsider (neither provider nor reviewer) may see. */
const PUBLIC_VERSION_STATUSES: readonly VersionStatus[] = ['published', 'superseded', 'retired'];

/**
 * The catalog (数据目录): information systems, entries with their info items, the review workflow
 * and every version. Each change and its ledger entry commit in one transaction. Calls to identity
 * are made before a transaction opens: on PGlite there is one connection, held by the transaction.
 *
 * @example
 *   const entry = await catalog.create(editor, body);   // draft, version 1, code assigned
 *   await catalog.submit(editor, entry.id);
 *   await catalog.approve(authorityUser, entry.id);       // published
 */
export class CatalogService {
  readonly #db: Db;
  readonly #identity: CatalogOptions['identity'];
  readonly #codes: CatalogCodeGenerator;
  /** Deadlines (Guideline 四(二)3), linked resources and reminders: catalog.deadlines.ts. */
  readonly deadlines: CatalogDeadlines;

  constructor(options: CatalogOptions) {
    this.#db = options.db;
    this.#identity = options.identity;
    this.#codes = options.codes ?? defaultCodeGenerator;
    this.deadlines = new CatalogDeadlines({
      db: options.db,
      calendar: options.calendar,
      notifications: options.notifications,
      now: options.now,
      rules: options.deadlineRules,
    });
  }

  get #k(): Executor {
    return this.#db.kysely;
  }

  // ---------------------------------------------------------------- information systems

  async createSystem(actor: Actor, input: { name: string; description?: string | undefined }): Promise<InformationSystem> {
    if (!can(actor, 'system.create')) throw forbidden();
    const name = input.name.trim();
    return this.#db.kysely.transaction().execute(async (trx) => {
      if (await repo.findSystemByName(trx, actor.organisationId, name)) throw E.systemNameTaken(name);
      const row = await repo.insertSystem(trx, {
        organisation_id: actor.organisationId,
        name,
        description: input.description?.trim() ?? '',
        created_by: actor.id,
      });
      await appendLedger(trx, {
        actor,
        action: 'catalog.system.create',
        subject: { type: 'information_system', id: row.id },
        payload: { organisationId: row.organisation_id, name, description: row.description },
      });
      return toSystem(row);
    });
  }

  async getSystem(actor: Actor, id: string): Promise<InformationSystem> {
    if (!can(actor, 'entry.read')) throw forbidden();
    const row = await repo.findSystem(this.#k, id);
    if (!row) throw E.systemNotFound(id);
    return toSystem(row);
  }

  /** Renames or re-describes a system of the caller's organisation. */
  async updateSystem(actor: Actor, id: string, input: { name: string; description?: string | undefined }): Promise<InformationSystem> {
    if (!can(actor, 'system.create')) throw forbidden();
    const name = input.name.trim();
    return this.#db.kysely.transaction().execute(async (trx) => {
      const before = await this.#ownSystem(trx, actor, id);
      const other = await repo.findSystemByName(trx, actor.organisationId, name);
      if (other && other.id !== id) throw E.systemNameTaken(name);
      const row = await repo.updateSystem(trx, id, { name, description: input.description?.trim() ?? before.description });
      await appendLedger(trx, {
        actor,
        action: 'catalog.system.update',
        subject: { type: 'information_system', id },
        payload: { before: { name: before.name, description: before.description }, after: { name: row.name, description: row.description } },
      });
      return toSystem(row);
    });
  }

  /** Deletes a system no current or in-force entry version names as its source. */
  async deleteSystem(actor: Actor, id: string): Promise<void> {
    if (!can(actor, 'system.create')) throw forbidden();
    await this.#db.kysely.transaction().execute(async (trx) => {
      const row = await this.#ownSystem(trx, actor, id);
      const users = await repo.entriesUsingSystem(trx, id);
      if (users.length > 0) throw E.systemInUse(users);
      await repo.deleteSystem(trx, id);
      await appendLedger(trx, {
        actor,
        action: 'catalog.system.delete',
        subject: { type: 'information_system', id },
        payload: { organisationId: row.organisation_id, name: row.name },
      });
    });
  }

  async #ownSystem(db: Executor, actor: UserActor, id: string): Promise<repo.SystemRow> {
    const row = await repo.findSystem(db, id, true);
    if (!row) throw E.systemNotFound(id);
    if (row.organisation_id !== actor.organisationId) throw E.notProvider();
    return row;
  }

  async listSystems(actor: Actor, filter: { organisationId?: string | undefined }, page: Paging): Promise<{ items: InformationSystem[]; total: number }> {
    if (!can(actor, 'entry.read')) throw forbidden();
    const { rows, total } = await repo.listSystems(this.#k, filter, page);
    return { items: rows.map(toSystem), total };
  }

  // ---------------------------------------------------------------- entries

  async create(actor: Actor, input: CatalogEntryInputType): Promise<CatalogEntry> {
    if (!can(actor, 'entry.edit')) throw forbidden();
    const provider = await this.#identity.getOrganisation(actor, actor.organisationId);
    const authority = await this.#identity.responsibleAuthority(actor.organisationId);
    const content = await this.#validated(actor.organisationId, input);
    const id = await this.#db.kysely.transaction().execute(async (trx) => {
      const seq = await repo.nextSequence(trx, provider.id);
      const code = this.#codes.generate({ category: content.category, providerCode: provider.code, sequence: seq });
      const entryId = await repo.insertEntry(trx, {
        code,
        provider_id: provider.id,
        provider_name: provider.name,
        provider_code: provider.code,
        reviewer_org_id: authority?.id ?? null,
        seq,
        status: 'draft',
        created_by: actor.id,
      });
      await repo.insertVersion(trx, { entry_id: entryId, version: 1, status: 'draft', content, by: actor.id });
      await appendLedger(trx, {
        actor,
        action: 'catalog.entry.create',
        subject: { type: 'catalog_entry', id: entryId },
        payload: { code, version: 1, content },
      });
      return entryId;
    });
    return this.get(actor, id);
  }

  /**
   * Changes an entry. A draft is changed in place; a returned or published entry gets a new draft
   * version (the returned one stays as it was reviewed; the published one stays in force until the
   * new version is approved).
   */
  async update(actor: Actor, idOrCode: string, input: CatalogEntryInputType): Promise<CatalogEntry> {
    if (!can(actor, 'entry.edit')) throw forbidden();
    const before = await this.#entryForProvider(this.#k, actor, idOrCode);
    const content = await this.#validated(before.provider_id, input);
    await this.#db.kysely.transaction().execute(async (trx) => {
      const entry = await this.#entryForProvider(trx, actor, before.id, true);
      let version = entry.version;
      if (entry.status === 'draft') {
        await repo.updateVersionContent(trx, entry.id, version, content, actor.id);
      } else if (entry.status === 'returned' || entry.status === 'published') {
        version += 1;
        await repo.insertVersion(trx, { entry_id: entry.id, version, status: 'draft', content, by: actor.id });
        await repo.updateEntry(trx, entry.id, { version, status: 'draft' });
      } else {
        throw E.invalidTransition('update', entry.status);
      }
      await appendLedger(trx, {
        actor,
        action: 'catalog.entry.update',
        subject: { type: 'catalog_entry', id: entry.id },
        payload: { code: entry.code, version, newVersion: version !== entry.version, content },
      });
    });
    return this.get(actor, before.id);
  }

  async submit(actor: Actor, idOrCode: string): Promise<CatalogEntry> {
    if (!can(actor, 'entry.edit')) throw forbidden();
    const before = await this.#entryForProvider(this.#k, actor, idOrCode);
    const authority = await this.#identity.responsibleAuthority(before.provider_id);
    if (!authority) throw E.noAuthority();
    const clock = await this.deadlines.clock();
    await this.#db.kysely.transaction().execute(async (trx) => {
      const entry = await this.#entryForProvider(trx, actor, before.id, true);
      if (entry.status !== 'draft') throw E.invalidTransition('submit', entry.status);
      await repo.updateVersion(trx, entry.id, entry.version, { status: 'submitted', submitted_by: actor.id, submitted_at: new Date() });
      await repo.updateEntry(trx, entry.id, { status: 'submitted', reviewer_org_id: authority.id });
      await appendLedger(trx, {
        actor,
        action: 'catalog.entry.submit',
        subject: { type: 'catalog_entry', id: entry.id },
        payload: { code: entry.code, version: entry.version, reviewer: authority.id },
      });
      await this.deadlines.onSubmitted(trx, clock, actor, entry, authority.id);
    });
    return this.get(actor, before.id);
  }

  async returnEntry(actor: Actor, idOrCode: string, reasons: ReturnReasonType[]): Promise<CatalogEntry> {
    const cleaned = reasons.map((r) => ({ ...(r.field ? { field: r.field.trim() } : {}), message: r.message.trim() }));
    const clock = await this.deadlines.clock();
    return this.#review(actor, idOrCode, 'return', async (trx, entry) => {
      await repo.updateVersion(trx, entry.id, entry.version, { status: 'returned', decided_by: actor.type === 'user' ? actor.id : null, decided_at: new Date(), return_reasons: cleaned });
      await repo.updateEntry(trx, entry.id, { status: 'returned' });
      await this.deadlines.onReturned(trx, clock, actor, entry, cleaned.length);
      return { reasons: cleaned };
    });
  }

  async approve(actor: Actor, idOrCode: string): Promise<CatalogEntry> {
    const clock = await this.deadlines.clock();
    return this.#review(actor, idOrCode, 'approve', async (trx, entry) => {
      const supersedes = entry.published_version;
      if (supersedes !== null) await repo.updateVersion(trx, entry.id, supersedes, { status: 'superseded' });
      await repo.updateVersion(trx, entry.id, entry.version, { status: 'published', decided_by: actor.type === 'user' ? actor.id : null, decided_at: new Date() });
      await repo.updateEntry(trx, entry.id, { status: 'published', published_version: entry.version });
      await this.deadlines.onApproved(trx, clock, actor, entry);
      return { supersedes };
    });
  }

  /** Retires a published entry: by the provider's editor or the responsible authority, with a reason. */
  async retire(actor: Actor, idOrCode: string, reason: string): Promise<CatalogEntry> {
    if (!can(actor, 'entry.retire')) throw forbidden();
    const before = await this.#visibleEntry(this.#k, actor, idOrCode);
    const isEditor = actor.roles.includes('catalog_editor') && actor.organisationId === before.provider_id;
    if (!isEditor) {
      const authority = actor.roles.includes('data_authority') ? await this.#identity.responsibleAuthority(before.provider_id) : undefined;
      if (!authority || authority.id !== actor.organisationId) throw actor.roles.includes('data_authority') ? E.notReviewer() : E.notProvider();
    }
    const clock = await this.deadlines.clock();
    await this.#db.kysely.transaction().execute(async (trx) => {
      const entry = (await repo.findEntry(trx, before.id, true))!;
      if (entry.status !== 'published') throw E.invalidTransition('retire', entry.status);
      await repo.updateVersion(trx, entry.id, entry.version, { status: 'retired', decided_by: actor.id, decided_at: new Date() });
      await repo.updateEntry(trx, entry.id, { status: 'retired', retired_reason: reason.trim() });
      await appendLedger(trx, {
        actor,
        action: 'catalog.entry.retire',
        subject: { type: 'catalog_entry', id: entry.id },
        payload: { code: entry.code, version: entry.version, reason: reason.trim() },
      });
      await this.deadlines.onRetired(trx, clock, actor, entry);
    });
    return this.get(actor, before.id);
  }

  // ---------------------------------------------------------------- linked resources and deadlines

  /**
   * Links a data resource to an entry (目录—数据), for the resources module; closes a running
   * link_resource deadline. The actor is the node (system) or acts for the provider organisation.
   */
  async linkResource(actor: Actor, idOrCode: string, input: { resourceId: string; kind: ResourceKind; name: string }): Promise<LinkedResource[]> {
    return this.deadlines.linkResource(actor, idOrCode, input);
  }

  async unlinkResource(actor: Actor, idOrCode: string, resourceId: string): Promise<LinkedResource[]> {
    return this.deadlines.unlinkResource(actor, idOrCode, resourceId);
  }

  /** Sends due-soon and overdue reminders once each; housekeeping runs it, tests pass `today`. */
  async sweepDeadlines(today?: string): Promise<{ dueSoon: number; overdue: number }> {
    return this.deadlines.sweep(today);
  }

  // ---------------------------------------------------------------- reads

  async get(actor: Actor, idOrCode: string): Promise<CatalogEntry> {
    if (!can(actor, 'entry.read')) throw forbidden();
    const entry = await this.#visibleEntry(this.#k, actor, idOrCode);
    const version = isInsider(actor, entry) ? entry.version : entry.published_version!;
    const row = (await repo.findVersion(this.#k, entry.id, version))!;
    return toEntry(entry, row);
  }

  /**
   * Search and browse: Chinese full text (jieba) with facets, each hit with where the query matched.
   * @example
   *   await catalog.list(user, { q: '公民身份号码', shareType: 'conditional' }, paging({}));
   */
  async list(actor: Actor, filter: repo.EntryFilter, page: Paging): Promise<{ items: CatalogSearchHit[]; total: number; facets: Facets; approximate: boolean }> {
    if (!can(actor, 'entry.read')) throw forbidden();
    const { rows, total, facets, approximate } = await repo.listEntries(this.#k, { organisationId: actor.organisationId, reviewerOrgId: reviewerOrganisation(actor) }, filter, page);
    const terms = filter.q?.trim() ? highlightTerms(filter.q) : [];
    const items = rows.map((r) => {
      const entry = toEntry(r, { version: r.v_version, status: r.v_status, content: r.content, return_reasons: r.return_reasons });
      return { ...entry, highlights: highlight(terms, { name: entry.name, summary: entry.summary, items: entry.items, providerName: entry.provider.name }) };
    });
    return { items, total, facets, approximate };
  }

  /**
   * Imports a catalog workbook (catalog.import.ts) for the caller's organisation: all or nothing, in one
   * transaction; rows that change nothing are counted as unchanged.
   */
  async importWorkbook(actor: Actor, workbook: Buffer, options: { dryRun: boolean }): Promise<ImportResult> {
    if (!can(actor, 'entry.edit')) throw forbidden();
    return importCatalogWorkbook({ db: this.#db, identity: this.#identity, codes: this.#codes }, actor, workbook, options);
  }

  /**
   * Makes the search text of versions that have none (written before search existed: SQL cannot
   * segment Chinese, so 002_search leaves them to this). Run at start-up; returns how many it indexed.
   */
  async indexMissing(batch = 500): Promise<number> {
    let done = 0;
    for (;;) {
      const rows = await repo.unindexedVersions(this.#k, batch);
      if (rows.length === 0) return done;
      await this.#db.kysely.transaction().execute(async (trx) => {
        for (const r of rows) {
          await repo.setSearchVector(trx, r.entry_id, r.version, searchVector(searchDocument(r.content, { providerName: r.provider_name, code: r.code })));
        }
      });
      done += rows.length;
    }
  }

  async versions(actor: Actor, idOrCode: string): Promise<CatalogVersion[]> {
    if (!can(actor, 'entry.read')) throw forbidden();
    const entry = await this.#visibleEntry(this.#k, actor, idOrCode);
    const rows = await repo.listVersions(this.#k, entry.id, isInsider(actor, entry) ? undefined : PUBLIC_VERSION_STATUSES);
    return rows.map(toVersion);
  }

  /** Two versions compared field by field, info items matched by column. */
  async diff(actor: Actor, idOrCode: string, from: number, to: number): Promise<CatalogDiff> {
    const versions = await this.versions(actor, idOrCode);
    const a = versions.find((v) => v.version === from);
    if (!a) throw E.versionNotFound(from);
    const b = versions.find((v) => v.version === to);
    if (!b) throw E.versionNotFound(to);
    return diffContents(from, to, a.content, b.content);
  }

  // ---------------------------------------------------------------- helpers

  async #validated(providerId: string, input: CatalogEntryInputType): Promise<CatalogContent> {
    const problems: EntryProblem[] = checkEntry(input, this.#codes);
    const ids = input.sourceSystemIds ?? [];
    const systems = await repo.findSystems(this.#k, ids);
    ids.forEach((id, i) => {
      const system = systems.find((s) => s.id === id);
      if (!system || system.organisation_id !== providerId) {
        problems.push({
          code: 'SOURCE_SYSTEM_UNKNOWN',
          field: `sourceSystemIds[${i}]`,
          message: `${id} is not an information system of the provider`,
          messageZh: `${id} 不是本部门的政务信息系统`,
        });
      }
    });
    if (problems.length > 0) throw E.entryInvalid(problems);
    return normalise(input);
  }

  /** The entry if the caller may see it; drafts of other organisations do not exist for them (404). */
  async #visibleEntry(db: Executor, actor: UserActor, idOrCode: string, forUpdate = false): Promise<repo.EntryRow> {
    const entry = await repo.findEntry(db, idOrCode, forUpdate);
    if (!entry) throw E.entryNotFound(idOrCode);
    if (!isInsider(actor, entry) && entry.published_version === null) throw E.entryNotFound(idOrCode);
    return entry;
  }

  async #entryForProvider(db: Executor, actor: UserActor, idOrCode: string, forUpdate = false): Promise<repo.EntryRow> {
    const entry = await this.#visibleEntry(db, actor, idOrCode, forUpdate);
    if (entry.provider_id !== actor.organisationId) throw E.notProvider();
    return entry;
  }

  async #review(
    actor: Actor,
    idOrCode: string,
    action: 'return' | 'approve',
    apply: (trx: Trx, entry: repo.EntryRow) => Promise<Record<string, unknown>>,
  ): Promise<CatalogEntry> {
    if (!can(actor, 'entry.review')) throw forbidden();
    // Any data authority learns that the entry exists (to be told NOT_REVIEWER); the content stays hidden.
    const before = await repo.findEntry(this.#k, idOrCode);
    if (!before) throw E.entryNotFound(idOrCode);
    const authority = await this.#identity.responsibleAuthority(before.provider_id);
    if (!authority || authority.id !== actor.organisationId) throw E.notReviewer();
    await this.#db.kysely.transaction().execute(async (trx) => {
      const entry = (await repo.findEntry(trx, before.id, true))!;
      if (entry.status !== 'submitted') throw E.invalidTransition(action, entry.status);
      const payload = await apply(trx, entry);
      if (entry.reviewer_org_id !== authority.id) await repo.updateEntry(trx, entry.id, { reviewer_org_id: authority.id });
      await appendLedger(trx, {
        actor,
        action: `catalog.entry.${action}`,
        subject: { type: 'catalog_entry', id: entry.id },
        payload: { code: entry.code, version: entry.version, ...payload },
      });
    });
    return this.get(actor, before.id);
  }
}

export function normalise(input: CatalogEntryInputType): CatalogContent {
  const text = (s: string | undefined): string | null => (s === undefined || s.trim() === '' ? null : s.trim());
  return {
    name: input.name.trim(),
    summary: input.summary.trim(),
    resourceType: input.resourceType,
    category: input.category,
    format: input.format,
    shareType: input.shareType,
    shareCondition: text(input.shareCondition),
    nonShareBasis: text(input.nonShareBasis),
    shareMethods: input.shareMethods,
    openType: input.openType,
    updateCycle: input.updateCycle,
    securityGrade: input.securityGrade,
    sensitivityLevel: input.sensitivityLevel ?? null,
    sourceSystemIds: [...new Set(input.sourceSystemIds ?? [])],
    items: input.items.map((i) => ({
      name: i.name.trim(),
      column: i.column,
      dataType: i.dataType,
      length: i.length ?? null,
      isKey: i.isKey ?? false,
      piiKind: i.piiKind ?? null,
      shareType: i.shareType ?? null,
      dataElement: text(i.dataElement),
      securityGrade: i.securityGrade ?? null,
    })),
  };
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

export function diffContents(from: number, to: number, a: CatalogContent, b: CatalogContent): CatalogDiff {
  const fields: FieldChange[] = [];
  for (const key of Object.keys({ ...a, ...b }) as Array<keyof CatalogContent>) {
    if (key === 'items') continue;
    if (!same(a[key] ?? null, b[key] ?? null)) fields.push({ field: key, before: a[key] ?? null, after: b[key] ?? null });
  }
  const before = new Map(a.items.map((i) => [i.column, i]));
  const after = new Map(b.items.map((i) => [i.column, i]));
  const changed: CatalogDiff['items']['changed'] = [];
  for (const [column, x] of before) {
    const y = after.get(column);
    if (!y) continue;
    const changes = (Object.keys({ ...x, ...y }) as Array<keyof InfoItem>)
      .filter((k) => !same(x[k], y[k]))
      .map((k) => ({ field: k, before: x[k], after: y[k] }));
    if (changes.length > 0) changed.push({ column, changes });
  }
  return {
    from,
    to,
    fields,
    items: {
      added: b.items.filter((i) => !before.has(i.column)),
      removed: a.items.filter((i) => !after.has(i.column)),
      changed,
    },
  };
}

/** Content stored before an item field existed reads with that field empty. */
export function readContent(content: CatalogContent): CatalogContent {
  return { ...content, items: content.items.map((i) => ({ ...i, dataElement: i.dataElement ?? null, securityGrade: i.securityGrade ?? null })) };
}

function toSystem(row: repo.SystemRow): InformationSystem {
  return { id: row.id, organisationId: row.organisation_id, name: row.name, description: row.description, createdAt: row.created_at.toISOString() };
}

function toEntry(
  entry: repo.EntryRow,
  version: Pick<repo.VersionRow, 'version' | 'status' | 'content' | 'return_reasons'>,
): CatalogEntry {
  const latest = version.version === entry.version;
  const status: EntryStatus = latest ? entry.status : entry.status === 'retired' ? 'retired' : 'published';
  return {
    id: entry.id,
    code: entry.code,
    status,
    version: version.version,
    versionStatus: version.status,
    publishedVersion: entry.published_version,
    provider: { id: entry.provider_id, name: entry.provider_name, code: entry.provider_code },
    reviewerOrganisationId: entry.reviewer_org_id,
    ...readContent(version.content),
    returnReasons: version.return_reasons,
    retiredReason: entry.retired_reason,
    createdAt: entry.created_at.toISOString(),
    updatedAt: entry.updated_at.toISOString(),
  };
}

function toVersion(row: repo.VersionRow): CatalogVersion {
  return {
    version: row.version,
    status: row.status,
    content: readContent(row.content),
    returnReasons: row.return_reasons,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    submittedBy: row.submitted_by,
    submittedAt: row.submitted_at?.toISOString() ?? null,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
  };
}
