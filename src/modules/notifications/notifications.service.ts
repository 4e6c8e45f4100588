import type { Actor } from '../../core/auth/actor.js';
import type { Role } from '../../core/auth/roles.js';
import type { Db } from '../../core/db/db.js';
import type { Executor } from '../../core/db/database.js';
import { forbidden } from '../../core/errors.js';
import type { Paging } from '../../core/http/schemas.js';
import type { IdentityService } from '../identity/index.js';
import { notificationErrors as E } from './notifications.errors.js';
import * as repo from './notifications.repository.js';

/** The text of a notification in both languages, rendered from its kind and params when read. */
export interface NotificationText {
  zh: string;
  en: string;
}

/** How a module's notification kind reads. `params` is what the module stored at `notify` time. */
export type NotificationRenderer = (params: Record<string, unknown>) => NotificationText;

export interface Notification {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  text: NotificationText;
  link: string | null;
  subject: { type: string; id: string } | null;
  createdAt: string;
  readAt: string | null;
}

/** Who receives a notification: the users of an organisation holding a role, or one user. */
export type Audience = { organisationId: string; role: Role } | { userId: string };

export interface NotificationInput {
  kind: string;
  params?: Record<string, unknown>;
  /** Portal path, e.g. `/catalog/entries/<id>`. */
  link?: string | null;
  subject?: { type: string; id: string } | null;
  to: readonly Audience[];
  /** Users not to tell even if an audience covers them (typically the actor). */
  except?: readonly string[];
}

/** What other modules depend on: sending inside their own transaction. */
export interface Notifier {
  notify(trx: Executor, input: NotificationInput): Promise<number>;
}

export interface NotificationsOptions {
  db: Db;
  identity: Pick<IdentityService, 'usersWithRole'>;
  /** Read notifications are kept this many days, then purged by housekeeping (default 180). */
  readRetentionDays?: number;
  now?: () => Date;
}

export const DEFAULT_READ_RETENTION_DAYS = 180;
const PURGE_BATCH = 10_000;

/**
 * In-portal notifications (站内通知). Modules register the kinds they send (with their Chinese and
 * English text) and call `notify` inside the transaction of the change they announce, so a
 * notification exists exactly when the change committed. Recipients are resolved at that moment.
 *
 * @example
 *   notifications.registerKinds({ 'catalog.published': (p) => ({ zh: `目录“${p.name}”已发布`, en: `"${p.name}" was published` }) });
 *   await db.kysely.transaction().execute(async (trx) => {
 *     // ... the business change ...
 *     await notifications.notify(trx, { kind: 'catalog.published', params: { name }, to: [{ organisationId, role: 'catalog_editor' }] });
 *   });
 */
export class NotificationsService implements Notifier {
  readonly #db: Db;
  readonly #identity: NotificationsOptions['identity'];
  readonly #retentionDays: number;
  readonly #now: () => Date;
  readonly #kinds = new Map<string, NotificationRenderer>();

  constructor(options: NotificationsOptions) {
    this.#db = options.db;
    this.#identity = options.identity;
    this.#retentionDays = options.readRetentionDays ?? DEFAULT_READ_RETENTION_DAYS;
    this.#now = options.now ?? (() => new Date());
  }

  /** Adds notification kinds. A kind is registered once; registering it again is a programming error. */
  registerKinds(kinds: Readonly<Record<string, NotificationRenderer>>): void {
    for (const [kind, render] of Object.entries(kinds)) {
      if (this.#kinds.has(kind)) throw new Error(`notification kind ${kind} is registered twice`);
      this.#kinds.set(kind, render);
    }
  }

  /**
   * Creates one notification per recipient inside the caller's transaction; returns how many.
   * Recipients are read through `trx` (on PGlite the transaction holds the only connection).
   */
  async notify(trx: Executor, input: NotificationInput): Promise<number> {
    if (!this.#kinds.has(input.kind)) throw new Error(`unknown notification kind ${input.kind}`);
    const users = new Set<string>();
    for (const audience of input.to) {
      if ('userId' in audience) users.add(audience.userId);
      else for (const id of await this.#identity.usersWithRole(trx, audience.organisationId, audience.role)) users.add(id);
    }
    for (const id of input.except ?? []) users.delete(id);
    await repo.insertForUsers(trx, [...users], {
      kind: input.kind,
      params: input.params ?? {},
      link: input.link ?? null,
      subject: input.subject ?? null,
      createdAt: this.#now(),
    });
    return users.size;
  }

  /** The caller's own notifications, newest first, with the count of unread ones. */
  async list(actor: Actor, filter: { unread?: boolean | undefined }, page: Paging): Promise<{ items: Notification[]; total: number; unread: number }> {
    if (actor.type !== 'user') throw forbidden();
    const { rows, total, unread } = await repo.listForUser(this.#db.kysely, actor.id, filter, page);
    return { items: rows.map((r) => this.#toNotification(r)), total, unread };
  }

  /** Marks one of the caller's notifications read; anyone else's is 404. Reading twice is fine. */
  async markRead(actor: Actor, id: string): Promise<void> {
    if (actor.type !== 'user') throw forbidden();
    if (!(await repo.markRead(this.#db.kysely, actor.id, id, this.#now()))) throw E.notFound(id);
  }

  async markAllRead(actor: Actor): Promise<{ updated: number }> {
    if (actor.type !== 'user') throw forbidden();
    return { updated: await repo.markAllRead(this.#db.kysely, actor.id, this.#now()) };
  }

  /** Housekeeping: deletes notifications read more than the retention period ago; returns how many. */
  async purgeRead(): Promise<number> {
    const before = new Date(this.#now().getTime() - this.#retentionDays * 86_400_000);
    let deleted = 0;
    for (;;) {
      const n = await repo.deleteReadBefore(this.#db.kysely, before, PURGE_BATCH);
      deleted += n;
      if (n < PURGE_BATCH) return deleted;
    }
  }

  /** Renders a kind's text (exposed for tests and for modules that want to preview). */
  render(kind: string, params: Record<string, unknown>): NotificationText {
    const render = this.#kinds.get(kind);
    // A kind no longer registered (a module removed it) still reads as something.
    return render ? render(params) : { zh: kind, en: kind };
  }

  #toNotification(row: repo.NotificationRow): Notification {
    return {
      id: row.id,
      kind: row.kind,
      params: row.params,
      text: this.render(row.kind, row.params),
      link: row.link,
      subject: row.subject_type !== null && row.subject_id !== null ? { type: row.subject_type, id: row.subject_id } : null,
      createdAt: row.created_at.toISOString(),
      readAt: row.read_at?.toISOString() ?? null,
    };
  }
}
