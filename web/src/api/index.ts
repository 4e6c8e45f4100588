// One typed function per endpoint. Pages import from here, never call fetch directly.
import { http } from './client';
import type {
  AppCredential,
  CatalogDiff,
  CatalogEntry,
  CatalogEntryInput,
  CatalogPage,
  CatalogQuery,
  CatalogVersion,
  Deadline,
  DeadlinePage,
  DeadlineQuery,
  ImportResult,
  InformationSystem,
  InformationSystemInput,
  LinkedResource,
  ApiResourcePatch,
  Connector,
  ConnectorInput,
  ConnectorPatch,
  ConnectorQuery,
  ConnectorRun,
  ConnectorTestResult,
  FileVersion,
  InvokeRequest,
  InvokeResult,
  LoadOptions,
  LoadRecord,
  LoadResult,
  CreateResourceRequest,
  Profile,
  ProfileKind,
  Resource,
  ResourceQuery,
  NotificationPage,
  ReturnReason,
  CalendarDay,
  CalendarOverride,
  ChangePasswordRequest,
  CreateOrganisationRequest,
  CreateUserRequest,
  CreatedAppCredential,
  Division,
  Health,
  InclusionProof,
  LedgerEntry,
  LedgerQuery,
  LoginRequest,
  LoginResponse,
  NodeInfo,
  Organisation,
  OrganisationQuery,
  Page,
  PageQuery,
  Role,
  TreeHead,
  UpdateOrganisationRequest,
  UpdateUserRequest,
  User,
  UserQuery,
  WorkingDaysResult,
  Application,
  ApplicationInput,
  ApplicationQuery,
  ApproveRequest,
  BatchResult,
  Grant,
  GrantQuery,
  GrantTerms,
  RejectRequest,
  FeedSubscription,
} from './types';

export { ApiError, onUnauthorized, tokenStore, type Download } from './client';
export type * from './types';
export {
  ROLES,
  ADMIN_ROLES,
  BUSINESS_ROLES,
  ORG_KINDS,
  ORG_LEVELS,
  RESOURCE_TYPES,
  CATALOG_FORMATS,
  SHARE_TYPES,
  SHARE_METHODS,
  OPEN_TYPES,
  UPDATE_CYCLES,
  SECURITY_GRADES,
  DATA_TYPES,
  ENTRY_STATUSES,
  PII_KINDS,
  FACET_KEYS,
  CONNECTOR_KINDS,
  APPLICATION_STATUSES,
  MASK_RULES,
  ROW_FILTER_OPS,
  CONSUMER_DIVISION,
  GRANT_STATUSES,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
} from './types';

const seg = encodeURIComponent;

export const systemApi = {
  health: () => http.get<Health>('/health'),
  node: () => http.get<NodeInfo>('/node'),
};

export const authApi = {
  login: (body: LoginRequest) =>
    http.post<LoginResponse>('/auth/login', body, { skipUnauthorizedRedirect: true }),
  logout: () => http.post<void>('/auth/logout', undefined, { skipUnauthorizedRedirect: true }),
  me: () => http.get<{ user: User }>('/auth/me'),
  changePassword: (body: ChangePasswordRequest) => http.post<void>('/auth/password', body),
};

export const divisionApi = {
  /** No parent → provinces. */
  children: (parent?: string) => http.get<{ items: Division[] }>('/divisions', { parent }),
};

export const organisationApi = {
  list: (q: OrganisationQuery = {}) => http.get<Page<Organisation>>('/organisations', { ...q }),
  get: (id: string) => http.get<Organisation>(`/organisations/${seg(id)}`),
  create: (body: CreateOrganisationRequest) => http.post<Organisation>('/organisations', body),
  update: (id: string, body: UpdateOrganisationRequest) =>
    http.patch<Organisation>(`/organisations/${seg(id)}`, body),
};

export const userApi = {
  list: (q: UserQuery = {}) => http.get<Page<User>>('/users', { ...q }),
  get: (id: string) => http.get<User>(`/users/${seg(id)}`),
  create: (body: CreateUserRequest) => http.post<User>('/users', body),
  update: (id: string, body: UpdateUserRequest) => http.patch<User>(`/users/${seg(id)}`, body),
  resetPassword: (id: string, password: string) =>
    http.post<void>(`/users/${seg(id)}/password`, { password }),
  setRoles: (id: string, roles: Role[]) => http.put<User>(`/users/${seg(id)}/roles`, { roles }),
  unlock: (id: string) => http.post<void>(`/users/${seg(id)}/unlock`),
};

export const appApi = {
  list: (q: PageQuery = {}) => http.get<Page<AppCredential>>('/apps', { ...q }),
  create: (name: string) => http.post<CreatedAppCredential>('/apps', { name }),
  revoke: (id: string) => http.post<AppCredential>(`/apps/${seg(id)}/revoke`),
};

export const ledgerApi = {
  head: () => http.get<TreeHead>('/ledger/head'),
  entries: (q: LedgerQuery = {}) => http.get<Page<LedgerEntry>>('/ledger/entries', { ...q }),
  entry: (seq: number) => http.get<LedgerEntry>(`/ledger/entries/${seq}`),
  proof: (seq: number, treeSize: number) =>
    http.get<InclusionProof>('/ledger/proof', { seq, treeSize }),
};

export const calendarApi = {
  days: (from: string, to: string) => http.get<{ items: CalendarDay[] }>('/calendar/days', { from, to }),
  setOverride: (date: string, body: Omit<CalendarOverride, 'date'>) =>
    http.put<CalendarOverride>(`/calendar/overrides/${seg(date)}`, body),
  deleteOverride: (date: string) => http.delete<void>(`/calendar/overrides/${seg(date)}`),
  workingDays: (from: string, days: number) =>
    http.get<WorkingDaysResult>('/calendar/working-days', { from, days }),
};

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export const catalogApi = {
  list: (q: CatalogQuery = {}) => http.get<CatalogPage>('/catalogs', { ...q }),
  get: (id: string) => http.get<CatalogEntry>(`/catalogs/${seg(id)}`),
  create: (body: CatalogEntryInput) => http.post<CatalogEntry>('/catalogs', body),
  update: (id: string, body: CatalogEntryInput) => http.put<CatalogEntry>(`/catalogs/${seg(id)}`, body),
  submit: (id: string) => http.post<CatalogEntry>(`/catalogs/${seg(id)}/submit`),
  returnEntry: (id: string, reasons: ReturnReason[]) => http.post<CatalogEntry>(`/catalogs/${seg(id)}/return`, { reasons }),
  approve: (id: string) => http.post<CatalogEntry>(`/catalogs/${seg(id)}/approve`),
  retire: (id: string, reason: string) => http.post<CatalogEntry>(`/catalogs/${seg(id)}/retire`, { reason }),
  versions: (id: string) => http.get<{ items: CatalogVersion[] }>(`/catalogs/${seg(id)}/versions`),
  diff: (id: string, from: number, to: number) => http.get<CatalogDiff>(`/catalogs/${seg(id)}/diff`, { from, to }),
  resources: (id: string) => http.get<{ items: LinkedResource[] }>(`/catalogs/${seg(id)}/resources`),
  entryDeadlines: (id: string) => http.get<{ items: Deadline[] }>(`/catalogs/${seg(id)}/deadlines`),
  deadlines: (q: DeadlineQuery) => http.get<DeadlinePage>('/catalogs/deadlines', { ...q }),
  template: () => http.download('/catalogs/template.xlsx'),
  exportXlsx: (q: CatalogQuery) => http.download('/catalogs/export.xlsx', { ...q }),
  importXlsx: (file: Blob, dryRun: boolean) =>
    http.upload<ImportResult>('/catalogs/import', file, XLSX_TYPE, dryRun ? { dryRun: true } : undefined),
};

export const informationSystemApi = {
  list: (q: PageQuery & { organisationId?: string } = {}) => http.get<Page<InformationSystem>>('/information-systems', { ...q }),
  get: (id: string) => http.get<InformationSystem>(`/information-systems/${seg(id)}`),
  create: (body: InformationSystemInput) => http.post<InformationSystem>('/information-systems', body),
  update: (id: string, body: InformationSystemInput) => http.put<InformationSystem>(`/information-systems/${seg(id)}`, body),
  remove: (id: string) => http.delete<void>(`/information-systems/${seg(id)}`),
};

export const notificationApi = {
  list: (q: PageQuery & { unread?: boolean } = {}) => http.get<NotificationPage>('/notifications', { ...q }),
  markRead: (id: string) => http.post<void>(`/notifications/${seg(id)}/read`),
  markAllRead: () => http.post<{ updated: number }>('/notifications/read-all'),
};

const NDJSON_TYPE = 'application/x-ndjson';

/** The media type the server expects for a data file, from its name (CSV unless xlsx or NDJSON). */
export function loadContentType(file: File, charset?: string): string {
  const name = file.name.toLowerCase();
  if (name.endsWith('.xlsx')) return XLSX_TYPE;
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return NDJSON_TYPE;
  return charset ? `text/csv; charset=${charset}` : 'text/csv';
}

export const resourceApi = {
  list: (q: ResourceQuery = {}) => http.get<Page<Resource>>('/resources', { ...q }),
  get: (id: string) => http.get<Resource>(`/resources/${seg(id)}`),
  create: (catalogId: string, body: CreateResourceRequest) => http.post<Resource>(`/catalogs/${seg(catalogId)}/resources`, body),
  load: (id: string, file: File, o: LoadOptions) =>
    http.upload<LoadResult>(`/resources/${seg(id)}/data`, file, loadContentType(file, o.charset), {
      mode: o.mode,
      maxErrors: o.maxErrors,
      dryRun: o.dryRun,
    }),
  loads: (id: string, q: PageQuery = {}) => http.get<Page<LoadRecord>>(`/resources/${seg(id)}/loads`, { ...q }),
  resume: (id: string, loadId: string) => http.post<LoadResult>(`/resources/${seg(id)}/loads/${seg(loadId)}/resume`),
  rows: (id: string, q: PageQuery = {}) => http.get<Page<Record<string, unknown>>>(`/resources/${seg(id)}/rows`, { ...q }),
  // kind 'api'
  updateApi: (id: string, body: ApiResourcePatch) => http.patch<Resource>(`/resources/${seg(id)}/api`, body),
  invoke: (id: string, body: InvokeRequest) => http.post<InvokeResult>(`/resources/${seg(id)}/invoke`, body),
  // kind 'file'
  files: (id: string, q: PageQuery = {}) => http.get<Page<FileVersion>>(`/resources/${seg(id)}/files`, { ...q }),
  uploadFile: (id: string, file: File, o: { name?: string; note?: string } = {}) =>
    http.upload<FileVersion>(`/resources/${seg(id)}/files`, file, file.type || 'application/octet-stream', {
      name: o.name ?? file.name,
      note: o.note,
    }),
  downloadFile: (id: string, version: number) => http.download(`/resources/${seg(id)}/files/${version}`),
};

export const connectorApi = {
  list: (q: ConnectorQuery = {}) => http.get<Page<Connector>>('/connectors', { ...q }),
  get: (id: string) => http.get<Connector>(`/connectors/${seg(id)}`),
  create: (resourceId: string, body: ConnectorInput) => http.post<Connector>(`/resources/${seg(resourceId)}/connectors`, body),
  update: (id: string, body: ConnectorPatch) => http.patch<Connector>(`/connectors/${seg(id)}`, body),
  remove: (id: string) => http.delete<void>(`/connectors/${seg(id)}`),
  /** Reads a sample without writing anything. */
  test: (id: string) => http.post<ConnectorTestResult>(`/connectors/${seg(id)}/test`),
  /** Enqueues a run (202); 409 CONNECTOR_BUSY while one is queued or running. */
  run: (id: string) => http.post<{ runId: string }>(`/connectors/${seg(id)}/run`),
  runs: (id: string, q: PageQuery = {}) => http.get<Page<ConnectorRun>>(`/connectors/${seg(id)}/runs`, { ...q }),
};

export const profileApi = {
  get: (kind: ProfileKind, key: string) => http.get<Profile>(`/profiles/${kind}/${seg(key.trim())}`),
};

export const sharingApi = {
  apply: (body: ApplicationInput) => http.post<Application>('/applications', body),
  /** The cart: all or nothing; a refusal names each problem's index in `details`. */
  applyBatch: (applications: ApplicationInput[]) => http.post<BatchResult>('/applications/batch', { applications }),
  list: (q: ApplicationQuery) => http.get<Page<Application>>('/applications', { ...q }),
  get: (id: string) => http.get<Application>(`/applications/${seg(id)}`),
  approve: (id: string, body: ApproveRequest) => http.post<Application>(`/applications/${seg(id)}/approve`, body),
  reject: (id: string, body: RejectRequest) => http.post<Application>(`/applications/${seg(id)}/reject`, body),
  withdraw: (id: string, reason?: string) => http.post<Application>(`/applications/${seg(id)}/withdraw`, reason ? { reason } : {}),
};

export const grantApi = {
  list: (q: GrantQuery = {}) => http.get<Page<Grant>>('/grants', { ...q }),
  get: (id: string) => http.get<Grant>(`/grants/${seg(id)}`),
  update: (id: string, terms: GrantTerms) => http.patch<Grant>(`/grants/${seg(id)}`, terms),
  revoke: (id: string, reason: string) => http.post<Grant>(`/grants/${seg(id)}/revoke`, { reason }),
  /** Raw: the shape is normalised by lib/sharing.ts normaliseStats. */
  calls: (id: string, days: number) => http.get<unknown>(`/grants/${seg(id)}/calls/stats`, { days }),
};

export const shareStatsApi = {
  /** The caller's organisation as consumer and as provider (raw; see normaliseOrgStats). */
  organisation: (days: number) => http.get<unknown>('/share/stats', { days }),
};

/** Webhook subscriptions to a grant's change feed: made by the consumer, seen by the grant's parties. */
export const subscriptionApi = {
  list: (grantId: string) => http.get<{ items: FeedSubscription[] }>(`/grants/${seg(grantId)}/subscriptions`),
  create: (grantId: string, body: { url: string; from?: 'latest' | 'beginning' }) =>
    http.post<{ subscription: FeedSubscription; secret: string }>(`/grants/${seg(grantId)}/subscriptions`, body),
  get: (id: string) => http.get<FeedSubscription>(`/subscriptions/${seg(id)}`),
  pause: (id: string) => http.post<FeedSubscription>(`/subscriptions/${seg(id)}/pause`, {}),
  /** `from`: start again from now or from the oldest change kept instead of where it stopped. */
  resume: (id: string, from?: 'latest' | 'beginning') => http.post<FeedSubscription>(`/subscriptions/${seg(id)}/resume${from ? `?from=${from}` : ''}`, {}),
  remove: (id: string) => http.delete<void>(`/subscriptions/${seg(id)}`),
};
