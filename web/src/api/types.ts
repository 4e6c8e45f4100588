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
