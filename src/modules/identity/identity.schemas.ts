import { Type, type Static } from 'typebox';
import { ROLES } from '../../core/auth/roles.js';
import { IsoTime, Nullable, Uuid } from '../../core/http/schemas.js';

export const RoleSchema = Type.Enum(ROLES);
export const OrganisationLevelSchema = Type.Union([
  Type.Literal('national'),
  Type.Literal('province'),
  Type.Literal('city'),
  Type.Literal('county'),
]);
export const OrganisationKindSchema = Type.Union([
  Type.Literal('government'),
  Type.Literal('data_authority'),
  Type.Literal('department'),
]);

const Username = Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' });
const Password = Type.String({ minLength: 1, maxLength: 128 });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const DivisionCode = Type.String({ pattern: '^[0-9]{6}$' });

export const OrganisationSchema = Type.Object(
  {
    id: Uuid,
    code: Type.String(),
    name: Type.String(),
    divisionCode: Type.String(),
    divisionName: Type.String(),
    level: OrganisationLevelSchema,
    kind: OrganisationKindSchema,
    parentId: Nullable(Uuid),
    parentName: Nullable(Type.String()),
    createdAt: IsoTime,
  },
  { $id: 'Organisation' },
);

export const UserSchema = Type.Object(
  {
    id: Uuid,
    username: Type.String(),
    displayName: Type.String(),
    organisationId: Uuid,
    organisation: Type.Object({ id: Uuid, name: Type.String(), code: Type.String() }),
    roles: Type.Array(RoleSchema),
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
    locked: Type.Boolean(),
    lastLoginAt: Nullable(IsoTime),
    createdAt: IsoTime,
  },
  { $id: 'User' },
);

export const AppSchema = Type.Object(
  {
    id: Uuid,
    appKey: Type.String(),
    name: Type.String(),
    organisationId: Uuid,
    organisationName: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('revoked')]),
    createdAt: IsoTime,
    createdBy: Nullable(Uuid),
    createdByName: Nullable(Type.String()),
    lastUsedAt: Nullable(IsoTime),
    revokedAt: Nullable(IsoTime),
  },
  { $id: 'AppCredential' },
);

export const LoginBody = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Password });
export const LoginResponse = Type.Object({ token: Type.String(), expiresAt: IsoTime, user: UserSchema });
export const ChangePasswordBody = Type.Object({ currentPassword: Password, newPassword: Password });

export const CreateOrganisationBody = Type.Object({
  code: Type.String({ minLength: 18, maxLength: 18 }),
  name: Name,
  divisionCode: DivisionCode,
  level: OrganisationLevelSchema,
  kind: OrganisationKindSchema,
  parentId: Type.Optional(Nullable(Uuid)),
});
export const UpdateOrganisationBody = Type.Object(
  {
    name: Type.Optional(Name),
    divisionCode: Type.Optional(DivisionCode),
    level: Type.Optional(OrganisationLevelSchema),
    kind: Type.Optional(OrganisationKindSchema),
    parentId: Type.Optional(Nullable(Uuid)),
  },
  { minProperties: 1 },
);

export const CreateUserBody = Type.Object({
  username: Username,
  displayName: Name,
  organisationId: Uuid,
  password: Password,
});
export const UpdateUserBody = Type.Object(
  {
    displayName: Type.Optional(Name),
    organisationId: Type.Optional(Uuid),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
  },
  { minProperties: 1 },
);
export const ResetPasswordBody = Type.Object({ password: Password });
export const SetRolesBody = Type.Object({ roles: Type.Array(RoleSchema, { maxItems: ROLES.length }) });

export const CreateAppBody = Type.Object({ name: Name });

export const DivisionSchema = Type.Object({
  code: Type.String(),
  name: Type.String(),
  level: Type.Union([Type.Literal('province'), Type.Literal('city'), Type.Literal('county')]),
  hasChildren: Type.Boolean(),
});

export const IdParams = Type.Object({ id: Uuid });
export type OrganisationDto = Static<typeof OrganisationSchema>;
