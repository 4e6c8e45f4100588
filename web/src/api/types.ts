// Types mirroring the /api/v1 contract (DESIGN.md §6 and the portal brief).
// Keep these in step with the server's TypeBox schemas; field names are camelCase on the wire.

export const ROLES = [
  'platform_admin',
  'security_admin',
  'audit_admin',
  'data_authority',
  'catalog_editor',
  'provider_approver',
  'consumer',
  'analyst',
] as const;
export type Role = (typeof ROLES)[number];

/** The three administrator roles of 三员分立; none of them may do another's work. */
export const ADMIN_ROLES = ['platform_admin', 'security_admin', 'audit_admin'] as const satisfies readonly Role[];
/** Roles a security administrator may grant. */
export const BUSINESS_ROLES = [
  'data_authority',
  'catalog_editor',
  'provider_approver',
  'consumer',
  'analyst',
] as const satisfies readonly Role[];
export type BusinessRole = (typeof BUSINESS_ROLES)[number];

export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    messageZh: string;
    details?: unknown;
  };
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export interface PageQuery {
  page?: number;
  pageSize?: number;
}

// ---- node / health ----

export type NodeLevel = 'national' | 'region' | 'department';

export interface Health {
  status: string;
  node: { code: string; level: NodeLevel };
  database: 'pglite' | 'postgres';
}

export interface NodeInfo {
  code: string;
  name: string;
  level: NodeLevel;
  parentCode: string | null;
  /** SM2 public key (hex) that signs ledger tree heads. */
  publicKey: string;
}

// ---- auth / users ----

export type UserStatus = 'active' | 'disabled';

export interface OrganisationRef {
  id: string;
  name: string;
  code: string;
}

export interface User {
  id: string;
  username: string;
  displayName: string;
  organisationId: string;
  organisation: OrganisationRef;
  roles: Role[];
  status: UserStatus;
  locked: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface LoginRequest {
  username: string;
  password: string;
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  user: User;
}

export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

export interface UserQuery extends PageQuery {
  q?: string;
  organisationId?: string;
}

export interface CreateUserRequest {
  username: string;
  displayName: string;
  organisationId: string;
  password: string;
}

export interface UpdateUserRequest {
  displayName?: string;
  organisationId?: string;
  status?: UserStatus;
}

// ---- divisions / organisations ----

export interface Division {
  code: string;
  name: string;
  level: string;
  hasChildren: boolean;
}

export type OrgLevel = 'national' | 'province' | 'city' | 'county';
export const ORG_LEVELS = ['national', 'province', 'city', 'county'] as const satisfies readonly OrgLevel[];
export type OrgKind = 'government' | 'data_authority' | 'department';
export const ORG_KINDS = ['government', 'data_authority', 'department'] as const satisfies readonly OrgKind[];

export interface Organisation {
  id: string;
  code: string;
  name: string;
  divisionCode: string;
  divisionName: string;
  level: OrgLevel;
  kind: OrgKind;
  parentId: string | null;
  parentName: string | null;
  createdAt: string;
}

export interface OrganisationQuery extends PageQuery {
  q?: string;
  parentId?: string;
}

export interface CreateOrganisationRequest {
  code: string;
  name: string;
  divisionCode: string;
  level: OrgLevel;
  kind: OrgKind;
  parentId?: string;
}

export interface UpdateOrganisationRequest {
  name?: string;
  divisionCode?: string;
  level?: OrgLevel;
  kind?: OrgKind;
  /** null detaches the organisation from its parent. */
  parentId?: string | null;
}

// ---- app credentials ----

export type AppStatus = 'active' | 'revoked';

export interface AppCredential {
  id: string;
  appKey: string;
  name: string;
  organisationId: string;
  organisationName: string;
  status: AppStatus;
  createdAt: string;
  createdBy: string | null;
  createdByName: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** Only the creation response carries the secret; it is never returned again. */
export type CreatedAppCredential = AppCredential & { secret: string };

// ---- ledger ----

export interface TreeHead {
  treeSize: number;
  rootHash: string;
  /** Raw r‖s hex (128 hex chars) of the SM2 signature over signedPayload. */
  signature: string;
  timestamp: string;
  /** The exact string that was signed (SM2 with user ID "1234567812345678"). */
  signedPayload: string;
  publicKey: string;
}

/** 'anonymous' is not in the brief, but the server records failed sign-ins that way. */
export type ActorType = 'user' | 'app' | 'system' | 'anonymous';

export interface LedgerActor {
  type: ActorType;
  /** Absent for anonymous actors. */
  id?: string;
  username?: string;
  organisationId?: string;
}

/** Entry payloads differ per action; the portal only displays them. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface LedgerEntryBody {
  seq: number;
  time: string;
  node: string;
  actor: LedgerActor;
  action: string;
  subject: { type: string; id: string };
  /** SM3 over the RFC 8785 form of the payload; this is what binds the payload into the leaf. */
  payloadDigest: string;
  /** The brief placed the payload here; the server sends it beside `entry` (see LedgerEntry). */
  payload?: JsonValue;
}

export interface LedgerEntry {
  seq: number;
  entry: LedgerEntryBody;
  /** The exact RFC 8785 string whose UTF-8 bytes were hashed into the leaf. */
  canonical: string;
  leafHash: string;
  /** The payload itself is not hashed into the leaf, only its digest, so it travels outside `entry`. */
  payload?: JsonValue;
}

export interface LedgerQuery extends PageQuery {
  /** Prefix match, e.g. `identity.user`. */
  action?: string;
  /** Actor id (user or app id), exact. */
  actor?: string;
}

export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  rootHash: string;
  path: string[];
}

// ---- calendar ----

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'adjusted_workday';

export interface CalendarOverride {
  date: string;
  isWorkingDay: boolean;
  note: string;
}

export interface CalendarDay {
  date: string;
  isWorkingDay: boolean;
  kind: DayKind;
  holidayName?: string;
  override?: CalendarOverride;
}

export interface WorkingDaysResult {
  from: string;
  days: number;
  date: string;
}

// ---- catalog (数据目录) ----

export const RESOURCE_TYPES = ['basic', 'thematic', 'department'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export const CATALOG_FORMATS = ['table', 'api', 'file'] as const;
export type CatalogFormat = (typeof CATALOG_FORMATS)[number];
export const SHARE_TYPES = ['unconditional', 'conditional', 'none'] as const;
export type ShareType = (typeof SHARE_TYPES)[number];
export const SHARE_METHODS = ['api', 'table', 'file'] as const;
export type ShareMethod = (typeof SHARE_METHODS)[number];
export const OPEN_TYPES = ['unconditional', 'conditional', 'none'] as const;
export type OpenType = (typeof OPEN_TYPES)[number];
export const UPDATE_CYCLES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'] as const;
export type UpdateCycle = (typeof UPDATE_CYCLES)[number];
export const SECURITY_GRADES = ['core', 'important', 'general'] as const;
export type SecurityGrade = (typeof SECURITY_GRADES)[number];
export const DATA_TYPES = ['string', 'integer', 'decimal', 'date', 'datetime', 'boolean', 'binary'] as const;
export type DataType = (typeof DATA_TYPES)[number];
export const ENTRY_STATUSES = ['draft', 'submitted', 'returned', 'published', 'retired'] as const;
export type EntryStatus = (typeof ENTRY_STATUSES)[number];
export type VersionStatus = EntryStatus | 'superseded';
/** The server's list (catalog.rules.ts PII_KINDS); the contract guarantees at least the first seven. */
export const PII_KINDS = [
  'resident_id',
  'uscc',
  'name',
  'phone',
  'address',
  'bank_card',
  'email',
  'passport',
  'licence_plate',
  'biometric',
  'health',
  'location',
  'org_code',
  'division_code',
] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export interface InfoItem {
  name: string;
  column: string;
  dataType: DataType;
  length: number | null;
  isKey: boolean;
  /** A string, not PiiKind: a server with a longer list must still display. */
  piiKind: string | null;
  shareType: ShareType | null;
  /** Optional until every server in the field sends them. */
  dataElement?: string | null;
  securityGrade?: SecurityGrade | null;
}

export interface InfoItemInput {
  name: string;
  column: string;
  dataType: DataType;
  length?: number;
  isKey?: boolean;
  piiKind?: string;
  shareType?: ShareType;
  dataElement?: string;
  securityGrade?: SecurityGrade;
}

export interface CatalogContent {
  name: string;
  summary: string;
  resourceType: ResourceType;
  category: string;
  format: CatalogFormat;
  shareType: ShareType;
  shareCondition: string | null;
  nonShareBasis: string | null;
  shareMethods: ShareMethod[];
  openType: OpenType;
  updateCycle: UpdateCycle;
  securityGrade: SecurityGrade;
  sensitivityLevel: number | null;
  sourceSystemIds: string[];
  items: InfoItem[];
}

export interface CatalogEntryInput {
  name: string;
  summary: string;
  resourceType: ResourceType;
  category: string;
  format: CatalogFormat;
  shareType: ShareType;
  shareCondition?: string;
  nonShareBasis?: string;
  shareMethods: ShareMethod[];
  openType: OpenType;
  updateCycle: UpdateCycle;
  securityGrade: SecurityGrade;
  sensitivityLevel?: number;
  sourceSystemIds?: string[];
  items: InfoItemInput[];
}

export interface ReturnReason {
  field?: string;
  message: string;
}

/** A match in one field; ranges are UTF-16 offsets into `text`, end exclusive. */
export interface Highlight {
  field: 'name' | 'summary' | 'item' | 'provider';
  text: string;
  ranges: [number, number][];
}

export interface CatalogEntry extends CatalogContent {
  id: string;
  code: string;
  status: EntryStatus;
  version: number;
  versionStatus: VersionStatus;
  publishedVersion: number | null;
  provider: { id: string; name: string; code: string };
  reviewerOrganisationId: string | null;
  returnReasons: ReturnReason[] | null;
  retiredReason: string | null;
  createdAt: string;
  updatedAt: string;
  /** Search results only, once the search service is in place. */
  highlights?: Highlight[];
}

export interface FacetCount {
  value: string;
  count: number;
  label?: string;
}

export const FACET_KEYS = [
  'status',
  'provider',
  'resourceType',
  'shareType',
  'openType',
  'format',
  'updateCycle',
  'securityGrade',
  'category',
] as const;
export type FacetKey = (typeof FACET_KEYS)[number];
/** Older servers send only some facets. */
export type Facets = Partial<Record<FacetKey, FacetCount[]>>;

export type CatalogSort = 'relevance' | 'recent' | 'name';

export type CatalogFilters = Partial<Record<FacetKey, string>>;

export interface CatalogQuery extends PageQuery, CatalogFilters {
  q?: string;
  sort?: CatalogSort;
  /** own: the caller's organisation's entries; reviewing: the ones its authority reviews for others. */
  scope?: 'own' | 'reviewing';
}

export interface CatalogPage extends Page<CatalogEntry> {
  facets: Facets;
  /** Past a thousand matches the server estimates the total and the facet counts. */
  approximate?: boolean;
}

export interface CatalogVersion {
  version: number;
  status: VersionStatus;
  content: CatalogContent;
  returnReasons: ReturnReason[] | null;
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
  items: { added: InfoItem[]; removed: InfoItem[]; changed: { column: string; changes: FieldChange[] }[] };
}

/** One problem of CATALOG_ENTRY_INVALID (error.details). */
export interface EntryProblem {
  code: string;
  field: string;
  message: string;
  messageZh: string;
}

export interface InformationSystem {
  id: string;
  organisationId: string;
  name: string;
  description: string;
  createdAt: string;
}

export interface InformationSystemInput {
  name: string;
  description?: string;
}

export interface LinkedResource {
  resourceId: string;
  kind: 'table' | 'api' | 'file';
  name: string;
  linkedAt: string;
}

// ---- deadlines ----

export type DeadlineKind = 'link_resource' | 'resubmit';
export type DeadlineState = 'open' | 'due_soon' | 'overdue' | 'met' | 'missed';
export type DeadlineStateFilter = 'open' | 'due_soon' | 'overdue' | 'closed';
export type DeadlineScope = 'mine' | 'authority';

export interface Deadline {
  id: string;
  kind: DeadlineKind;
  entry: { id: string; code: string; name: string };
  provider: { id: string; name: string };
  startedOn: string;
  dueOn: string;
  closedAt: string | null;
  closedReason: string | null;
  state: DeadlineState;
  /** Negative when overdue. */
  workingDaysLeft: number;
}

export interface DeadlineQuery extends PageQuery {
  scope: DeadlineScope;
  state?: DeadlineStateFilter;
  kind?: DeadlineKind;
}

export interface DeadlinePage extends Page<Deadline> {
  summary: { open: number; dueSoon: number; overdue: number };
}

// ---- notifications ----

export interface AppNotification {
  id: string;
  kind: string;
  params: Record<string, unknown>;
  text: { zh: string; en: string };
  /** A portal path such as /catalog/entries/<id>. */
  link: string | null;
  subject: { type: string; id: string } | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage extends Page<AppNotification> {
  unread: number;
}

// ---- Excel import ----

export interface ImportError {
  sheet: string;
  row: number;
  column: string;
  message: string;
  messageEn?: string;
  code?: string;
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged?: number;
  errors: ImportError[];
}

// ---- data resources (issue 4; server: resources.routes.ts) ----

export type ResourceKind = 'table' | 'api' | 'file';

export interface ResourceColumn {
  /** The info item's name. */
  name: string;
  column: string;
  dataType: string;
  length: number | null;
  isKey: boolean;
  piiKind: string | null;
}

export interface Resource {
  id: string;
  kind: ResourceKind;
  name: string;
  catalog: { id: string; code: string; version: number };
  providerId: string;
  columns: ResourceColumn[] | null;
  rowCount: number;
  lastLoadedAt: string | null;
  changeRetentionDays: number;
  createdAt: string;
  updatedAt: string;
  /** kind 'api': the registered upstream; the secret header's value is never sent, only hasSecret. */
  api?: ApiResourceConfig | null;
  /** kind 'file': the newest version, and how many there are. */
  latestFile?: FileVersion | null;
  fileCount?: number;
}

export type HttpMethod = 'GET' | 'POST';

export interface ApiResourceConfig {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  secretHeaderName: string | null;
  hasSecret: boolean;
  timeoutMs?: number | null;
}

/** The upstream of an api resource as written (create and PATCH). */
export interface ApiResourceInput {
  url: string;
  method: HttpMethod;
  headers?: Record<string, string>;
  secretHeader?: { name: string; value: string };
  timeoutMs?: number;
}

/** PATCH /resources/{id}/api: secretHeader null clears it, absent keeps it. */
export interface ApiResourcePatch {
  url?: string;
  method?: HttpMethod;
  headers?: Record<string, string>;
  secretHeader?: { name: string; value: string } | null;
  timeoutMs?: number;
}

export interface InvokeRequest {
  /** Appended to the registered URL; stays under it. */
  path?: string;
  query?: Record<string, string>;
  body?: unknown;
}

export interface InvokeResult {
  status: number;
  /** content-type only. */
  headers: Record<string, string>;
  /** JSON parsed when JSON, else text. */
  body: unknown;
  latencyMs: number;
}

export interface FileVersion {
  version: number;
  fileName: string;
  mediaType: string;
  size: number;
  sm3: string;
  note: string | null;
  /** Who uploaded it: a username, or the user as an object on newer servers. */
  uploadedBy: string | { id?: string; username?: string; name?: string; displayName?: string } | null;
  uploadedAt: string;
}

export interface ResourceQuery extends PageQuery {
  catalogId?: string;
  provider?: string;
  kind?: ResourceKind;
}

export interface CreateResourceRequest {
  kind: ResourceKind;
  name?: string;
  /** kind 'api' only. */
  api?: ApiResourceInput;
}

export type LoadMode = 'replace' | 'upsert';

export interface LoadRowProblem {
  /** 1 = the first data row. */
  row: number;
  /** The column name, or empty for the whole row. */
  column: string;
  code: string;
  message: string;
  messageZh: string;
}

interface LoadCounts {
  rowsRead: number;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
  rejected: number;
  errors: LoadRowProblem[];
}

export interface LoadResult extends LoadCounts {
  loadId: string | null;
  status: string;
  dryRun: boolean;
  format: string;
  encoding: string | null;
  errorsTruncated: boolean;
  preview?: { header: string[]; rows: string[][] };
}

export interface LoadRecord extends LoadCounts {
  loadId: string;
  status: string;
  mode: string;
  source: string;
  format: string;
  encoding: string | null;
  contentSm3: string | null;
  startedBy: string | null;
  startedAt: string;
  finishedAt: string | null;
  resumable: boolean;
}

export interface LoadOptions {
  mode: LoadMode;
  /** Omitted = detected by the server. */
  charset?: string;
  maxErrors?: number;
  dryRun: boolean;
}

export type ProfileKind = 'person' | 'enterprise';

export interface Profile {
  key: string;
  kind: string;
  sections: { resource: Resource; records: Record<string, unknown>[] }[];
}

// ---- connectors (前置机; server: src/modules/connectors) ----

export const CONNECTOR_KINDS = ['postgres', 'mysql', 'http'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];
export type PagingStyle = 'page' | 'offset' | 'cursor';

/** postgres and mysql: a table or a query, read incrementally when a watermark column is named. */
export interface SqlConnectorConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  /** TLS, verifying the server certificate against the host name. */
  ssl?: boolean;
  table?: string;
  query?: string;
  /** source column → resource column; absent = same names. */
  columns?: Record<string, string>;
  watermarkColumn?: string;
  /** Rows per batch read from the source (100–10,000; 1,000 by default). */
  batchSize?: number;
  /** The longest the source may take to answer one query: the sample, each batch (1–3,600 s; 600 by default). */
  timeoutSeconds?: number;
}

export interface HttpPaging {
  style: PagingStyle;
  pageParam?: string;
  sizeParam?: string;
  offsetParam?: string;
  cursorParam?: string;
  pageSize?: number;
  /** The first page's number ('page' style): 0 or 1 (default). */
  firstPage?: number;
}

/** http: a paged JSON API. The secret header's name is here, its value is the connector's secret. */
export interface HttpConnectorConfig {
  url: string;
  headers?: Record<string, string>;
  /** The name of the header carrying the sealed secret (Authorization, X-Api-Key …). */
  secretHeader?: string;
  /** Dot path to the items in a page ("data.items"); empty: the page is the array. */
  itemsPath: string;
  paging?: HttpPaging;
  nextCursorPath?: string;
  maxPages?: number;
  /** Incremental: the saved watermark goes in this query parameter, and the largest watermarkField becomes the next. */
  watermarkParam?: string;
  watermarkField?: string;
  timeoutSeconds?: number;
  columns?: Record<string, string>;
}

export type ConnectorConfig = SqlConnectorConfig | HttpConnectorConfig;

export type ConnectorRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'retrying';

export interface ConnectorRunError {
  code: string;
  message: string;
  messageZh: string;
}

export interface ConnectorRun {
  id: string;
  connectorId: string;
  trigger: 'schedule' | 'manual';
  /** The attempt running or last run (0 while queued). */
  attempt: number;
  status: ConnectorRunStatus;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  rowsRead: number | null;
  loadId: string | null;
  inserted: number | null;
  updated: number | null;
  rejected: number | null;
  watermarkFrom: string | null;
  watermarkTo: string | null;
  /** Why the watermark did not move past this run's rows (rows the loader refused are read again next time). */
  watermarkHeld?: ConnectorRunError | null;
  error: ConnectorRunError | null;
  nextRetryAt: string | null;
}

export interface Connector {
  id: string;
  resourceId: string;
  providerId: string;
  name: string;
  kind: ConnectorKind;
  config: Record<string, unknown>;
  hasSecret: boolean;
  intervalMinutes: number | null;
  mode: LoadMode;
  maxErrors: number;
  maxAttempts: number;
  enabled: boolean;
  watermark: string | null;
  nextRunAt: string | null;
  lastRun: ConnectorRun | null;
  createdAt: string;
  updatedAt: string;
}

export interface ConnectorInput {
  name: string;
  kind: ConnectorKind;
  config: ConnectorConfig;
  /** postgres/mysql: the password; http: the secret header's value. */
  secret?: string;
  intervalMinutes?: number | null;
  mode?: LoadMode;
  maxErrors?: number;
  maxAttempts?: number;
  enabled?: boolean;
}

export interface ConnectorPatch {
  name?: string;
  config?: ConnectorConfig;
  /** null clears it; absent keeps it. */
  secret?: string | null;
  intervalMinutes?: number | null;
  mode?: LoadMode;
  maxErrors?: number;
  maxAttempts?: number;
  enabled?: boolean;
  resetWatermark?: boolean;
}

export interface ConnectorQuery extends PageQuery {
  resourceId?: string;
}

export interface ConnectorTestResult {
  ok: boolean;
  /** Up to 5 rows as they would be loaded. */
  sample: Record<string, unknown>[];
  /** The source's columns. */
  columns: string[];
  code?: string;
  message?: string;
  messageZh?: string;
}

// ---- supply and demand / sharing (issue 5; server: src/modules/sharing/sharing.types.ts) ----
// Mirrors sharing.types.ts by hand; ShareMethod is the catalog's own (api | table | file).

export type ApplicationStatus = 'pending' | 'countersigning' | 'granted' | 'rejected' | 'withdrawn';
export const APPLICATION_STATUSES = ['pending', 'countersigning', 'granted', 'rejected', 'withdrawn'] as const satisfies readonly ApplicationStatus[];

/** How a granted item's values reach the consumer (gateway/masking.ts). */
export const MASK_RULES = ['none', 'name', 'resident_id', 'phone', 'bank_card', 'email', 'address', 'redact'] as const;
export type MaskRule = (typeof MASK_RULES)[number];

export const ROW_FILTER_OPS = ['eq', 'prefix', 'in'] as const;
export type RowFilterOp = (typeof ROW_FILTER_OPS)[number];

/** `$consumerDivision` as a value stands for the consumer organisation's division code (数据回流). */
export interface RowFilter {
  column: string;
  op: RowFilterOp;
  value?: string;
  values?: string[];
}

export const CONSUMER_DIVISION = '$consumerDivision';

export interface ApplicationInput {
  catalogId: string;
  /** Column names of the entry's info items; all of them when absent. */
  items?: string[];
  purpose: string;
  legalBasis: string;
  scenario: string;
  methods: ShareMethod[];
  /** YYYY-MM-DD, the last day the data may be used. */
  validUntil: string;
}

export type DecisionStep = 'auto' | 'provider' | 'authority' | 'applicant' | 'arbitration';
export type DecisionOutcome = 'approved' | 'rejected' | 'withdrawn' | 'reopened';

export interface Decision {
  step: DecisionStep;
  outcome: DecisionOutcome;
  actor: { id: string; displayName: string } | null;
  organisationId: string | null;
  comment: string | null;
  reason: string | null;
  legalBasis: string | null;
  at: string;
}

export type ApplicationDeadlineState = 'open' | 'due_soon' | 'overdue';

export interface Application {
  id: string;
  batchId: string | null;
  status: ApplicationStatus;
  applicant: { organisationId: string; organisationName: string; userId: string; displayName: string };
  catalog: { id: string; code: string; name: string; version: number; shareType: 'unconditional' | 'conditional'; securityGrade: string };
  providerId: string;
  providerName: string;
  items: string[];
  purpose: string;
  legalBasis: string;
  scenario: string;
  methods: ShareMethod[];
  validUntil: string;
  /** The working day by which it must be answered; null once answered. */
  dueDate: string | null;
  deadlineState: ApplicationDeadlineState | null;
  needsCountersignature: boolean;
  escalatedAt: string | null;
  decidedAt: string | null;
  grantId: string | null;
  /** The masking each requested item gets unless the approver changes it (by the item's PII kind). */
  defaultMasking?: Record<string, MaskRule>;
  /** The terms set at the provider's approval (kept through the countersignature), applied to the grant. */
  proposedTerms?: GrantTerms | null;
  decisions: Decision[];
  createdAt: string;
}

export type ApplicationScope = 'mine' | 'approval' | 'countersign';

export interface ApplicationQuery extends PageQuery {
  scope: ApplicationScope;
  status?: ApplicationStatus;
  catalogId?: string;
}

export interface BatchResult {
  batchId: string;
  items: Application[];
}

/** One problem of a refused batch (error.details): which application of the cart, and why. */
export interface BatchProblem {
  index: number;
  code: string;
  message?: string;
  messageZh?: string;
}

/** Terms an approver may set when approving (and the provider may change later). */
export interface GrantTerms {
  masking?: Record<string, MaskRule>;
  rowFilter?: RowFilter | null;
  rateLimitPerMinute?: number;
  ipAllow?: string[];
  /** Not later than the application's validUntil (end of that day, Asia/Shanghai). */
  expiresAt?: string;
}

export interface ApproveRequest {
  comment?: string;
  grant?: GrantTerms;
}

export interface RejectRequest {
  reason: string;
  legalBasis: string;
}

export type GrantStatus = 'active' | 'expired' | 'revoked';
export const GRANT_STATUSES = ['active', 'expired', 'revoked'] as const satisfies readonly GrantStatus[];

export interface Grant {
  id: string;
  applicationId: string | null;
  consumerId: string;
  consumerName: string;
  providerId: string;
  providerName: string;
  catalog: { id: string; code: string; name: string };
  items: string[];
  masking: Record<string, MaskRule>;
  rowFilter: RowFilter | null;
  methods: ShareMethod[];
  rateLimitPerMinute: number;
  ipAllow: string[];
  validFrom: string;
  expiresAt: string;
  status: GrantStatus;
  revokedAt: string | null;
  revokeReason: string | null;
  createdAt: string;
}

export interface GrantQuery extends PageQuery {
  as?: 'consumer' | 'provider';
  status?: GrantStatus;
  catalogCode?: string;
}

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

// ---- gateway call statistics (server: gateway.routes.ts) ----

export interface CallDay {
  /** YYYY-MM-DD (Asia/Shanghai). */
  day: string;
  calls: number;
  ok: number;
  refused: number;
  rows: number;
}

export interface CallOutcome {
  /** 'ok' or the refusal's error code. */
  outcome: string;
  calls: number;
}

export interface CallStats {
  days: CallDay[];
  byOutcome: CallOutcome[];
}

export interface OrganisationCallStats {
  asConsumer: CallStats;
  asProvider: CallStats;
}

// ---- demands (数据需求) and objections (异议) (server: sharing/demands, sharing/objections) ----

export type DemandStatus = 'submitted' | 'routed' | 'answered' | 'withdrawn';
export const DEMAND_STATUSES: readonly DemandStatus[] = ['submitted', 'routed', 'answered', 'withdrawn'];
export type DemandAnswerKind = 'entry' | 'planned' | 'not_held';
export type DemandScope = 'mine' | 'routing' | 'assigned';

export interface DemandInput {
  title: string;
  description: string;
  items?: string[];
  purpose: string;
  legalBasis?: string;
  /** YYYY-MM-DD, after today. */
  expectedBy?: string;
}

export interface DemandAnswerInput {
  kind: DemandAnswerKind;
  catalogId?: string;
  plannedDate?: string;
  comment?: string;
  reason?: string;
}

export interface DemandStep {
  step: 'submitted' | 'routed' | 'answered' | 'withdrawn' | 'reminded' | 'escalated';
  actor: { id: string; displayName: string } | null;
  organisationId: string | null;
  organisationName: string | null;
  details: Record<string, unknown>;
  at: string;
}

export interface Demand {
  id: string;
  status: DemandStatus;
  title: string;
  description: string;
  items: string[];
  purpose: string;
  legalBasis: string | null;
  expectedBy: string | null;
  requester: { organisationId: string; organisationName: string; userId: string; displayName: string };
  authorityId: string | null;
  provider: { organisationId: string; name: string } | null;
  dueDate: string | null;
  deadlineState: 'open' | 'due_soon' | 'overdue' | null;
  escalatedAt: string | null;
  answer: {
    kind: DemandAnswerKind;
    catalog: { id: string; code: string; name: string } | null;
    plannedDate: string | null;
    text: string | null;
    answeredAt: string;
  } | null;
  /** What the signed-in user may do now (the server checks again). */
  can: { route: boolean; answer: boolean; withdraw: boolean };
  /** Oldest first; on the detail only. */
  timeline?: DemandStep[];
  createdAt: string;
  updatedAt: string;
}

export interface DemandQuery extends PageQuery {
  scope?: DemandScope;
  status?: DemandStatus;
}

export type ObjectionKind = 'data' | 'refusal';
export type ObjectionStatus = 'open' | 'resolved' | 'arbitrated' | 'withdrawn';
export const OBJECTION_STATUSES: readonly ObjectionStatus[] = ['open', 'resolved', 'arbitrated', 'withdrawn'];
export type DataObjectionOutcome = 'corrected' | 'confirmed' | 'rejected';
export type ArbitrationOutcome = 'upheld' | 'overturned' | 'superseded';
export type ObjectionScope = 'mine' | 'assigned' | 'arbitration';

export interface ObjectionInput {
  kind: ObjectionKind;
  grantId?: string;
  recordKey?: string[];
  items?: string[];
  description?: string;
  applicationId?: string;
  reason?: string;
}

export interface Objection {
  id: string;
  kind: ObjectionKind;
  status: ObjectionStatus;
  grantId: string | null;
  applicationId: string | null;
  catalog: { id: string; code: string; name: string };
  objector: { organisationId: string; organisationName: string; userId: string; displayName: string };
  providerId: string;
  providerName: string;
  authorityId: string | null;
  recordKeys: string[];
  items: string[];
  description: string;
  dueDate: string | null;
  deadlineState: 'open' | 'due_soon' | 'overdue' | null;
  escalatedAt: string | null;
  outcome: DataObjectionOutcome | ArbitrationOutcome | null;
  outcomeComment: string | null;
  decidedBy: { id: string; displayName: string } | null;
  decidedAt: string | null;
  can: { resolve: boolean; arbitrate: boolean; withdraw: boolean };
  createdAt: string;
}

export interface ObjectionQuery extends PageQuery {
  scope?: ObjectionScope;
  status?: ObjectionStatus;
  kind?: ObjectionKind;
}

// ---- exports, file sharing (server: sharing/exports/exports.routes.ts) ----

export type ExportStatus = 'queued' | 'running' | 'ready' | 'failed' | 'expired';
export const EXPORT_STATUSES = ['queued', 'running', 'ready', 'failed', 'expired'] as const satisfies readonly ExportStatus[];
export type ExportFormat = 'csv' | 'xlsx';

export interface ShareExport {
  id: string;
  grantId: string;
  catalog: { id: string; code: string; name: string };
  consumerId: string;
  consumerName: string;
  providerId: string;
  providerName: string;
  requestedBy: { id: string; displayName: string };
  format: ExportFormat;
  fields: string[] | null;
  filters: Record<string, unknown> | null;
  /** queued → running → ready | failed; ready → expired once the file is deleted. */
  status: ExportStatus;
  attempts: number;
  rows: number | null;
  size: number | null;
  /** SM3 of the file, lowercase hex. */
  sm3: string | null;
  fileName: string | null;
  mediaType: string | null;
  error: { code: string; message: string; messageZh: string; stage: string | null } | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** When the file is deleted. */
  expiresAt: string | null;
  links: number;
  downloads: number;
  /** The caller asked for it: only they may make download links. */
  mine: boolean;
}

export interface ExportInput {
  grantId: string;
  format: ExportFormat;
  fields?: string[];
  filters?: Record<string, unknown>;
}

export interface ExportQuery extends PageQuery {
  as?: 'consumer' | 'provider';
  status?: ExportStatus;
  grantId?: string;
}

/** A one-time download link: a path under /api/v1 that works once, until expiresAt. */
export interface ExportLink {
  url: string;
  expiresAt: string;
}

// ---- change-feed webhook subscriptions (src/modules/sharing/feeds/subscriptions.ts) ----

export interface FeedDelivery {
  deliveryId: string;
  firstSeq: number;
  lastSeq: number;
  changes: number;
  attempt: number;
  status: number | null;
  /** delivered, HTTP_<status>, or the failure's code */
  outcome: string;
  latencyMs: number;
  at: string;
}

export interface FeedSubscription {
  id: string;
  grantId: string;
  catalogCode: string;
  url: string;
  status: 'active' | 'paused';
  /** consumer, failures, or the grant's refusal code (GRANT_REVOKED …) */
  pausedReason: string | null;
  cursor: string;
  failures: number;
  nextAttemptAt: string | null;
  lastDeliveredAt: string | null;
  lastError: { code: string; message: string; messageZh?: string } | null;
  createdBy: { id: string; displayName: string };
  createdAt: string;
  deliveries?: FeedDelivery[];
}
