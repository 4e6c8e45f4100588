import { ConflictError, InputError, NotAllowedError, NotFoundError, RateLimitedError, UnauthenticatedError } from '../../core/errors.js';

const LEVEL_ZH: Record<string, string> = { national: '国家级', province: '省级', city: '市级', county: '县级' };

/** The identity module's refusals; codes are part of the public contract. */
export const identityErrors = {
  invalidCredentials: () =>
    new UnauthenticatedError('INVALID_CREDENTIALS', 'Wrong username or password', '用户名或密码错误'),
  tooManyAttempts: (retryAfterSeconds: number) =>
    new RateLimitedError(
      'TOO_MANY_ATTEMPTS',
      `Too many failed sign-ins from your address; try again in ${retryAfterSeconds} s`,
      `您所在地址登录失败次数过多，请 ${retryAfterSeconds} 秒后再试`,
      { retryAfterSeconds },
    ),
  accountLocked: (until: Date) =>
    new NotAllowedError(
      'ACCOUNT_LOCKED',
      `Too many failed sign-ins; the account is locked until ${until.toISOString()}`,
      `登录失败次数过多，账号已锁定至 ${until.toISOString()}`,
      { lockedUntil: until.toISOString() },
    ),
  accountDisabled: () => new NotAllowedError('ACCOUNT_DISABLED', 'This account is disabled', '该账号已停用'),
  weakPassword: () =>
    new InputError(
      'PASSWORD_TOO_WEAK',
      'A password needs at least 8 characters and three of: lower case, upper case, digits, symbols',
      '密码至少 8 位，且须包含小写字母、大写字母、数字、符号中的三类',
    ),
  wrongCurrentPassword: () =>
    new InputError('CURRENT_PASSWORD_WRONG', 'The current password is wrong', '当前密码不正确'),
  usernameTaken: (username: string) =>
    new ConflictError('USERNAME_TAKEN', `The username ${username} is already in use`, `用户名 ${username} 已被使用`),
  userNotFound: (id: string) => new NotFoundError('USER_NOT_FOUND', `User ${id} does not exist`, `用户 ${id} 不存在`),
  organisationNotFound: (id: string) =>
    new NotFoundError('ORGANISATION_NOT_FOUND', `Organisation ${id} does not exist`, `组织机构 ${id} 不存在`),
  parentNotFound: (id: string) =>
    new InputError('PARENT_NOT_FOUND', `Parent organisation ${id} does not exist`, `上级组织机构 ${id} 不存在`),
  parentCycle: () =>
    new InputError('PARENT_CYCLE', 'An organisation cannot be placed under itself or its descendants', '组织机构不能设为自身或其下级的下级'),
  invalidCreditCode: (code: string) =>
    new InputError(
      'INVALID_CREDIT_CODE',
      `${code} is not a valid unified social credit code (GB 32100)`,
      `${code} 不是有效的统一社会信用代码（GB 32100）`,
    ),
  invalidDivisionCode: (code: string) =>
    new InputError('INVALID_DIVISION_CODE', `${code} is not a GB/T 2260 division code`, `${code} 不是有效的行政区划代码（GB/T 2260）`),
  levelMismatch: (level: string, divisionCode: string) =>
    new InputError(
      'LEVEL_DIVISION_MISMATCH',
      `Level ${level} does not match division ${divisionCode}`,
      `层级“${LEVEL_ZH[level] ?? level}”与行政区划 ${divisionCode} 不一致`,
      { level, divisionCode },
    ),
  creditCodeTaken: (code: string) =>
    new ConflictError('CREDIT_CODE_TAKEN', `An organisation with code ${code} already exists`, `统一社会信用代码 ${code} 已存在`),
  nameTaken: (name: string) =>
    new ConflictError('ORGANISATION_NAME_TAKEN', `An organisation named ${name} already exists here`, `同一上级下已存在名为 ${name} 的机构`),
  separationOfDuties: (reason: string) =>
    new NotAllowedError('SEPARATION_OF_DUTIES', `三员分立: ${reason}`, `违反三员分立原则：${reason}`),
  adminRoleByApi: () =>
    new NotAllowedError(
      'ADMIN_ROLE_NOT_ASSIGNABLE',
      'Administrator roles are assigned on the server with the tianshu CLI, not through the API',
      '三员角色只能在服务器上通过 tianshu 命令行分配，不能通过接口分配',
    ),
  protectedAccount: () =>
    new NotAllowedError(
      'PROTECTED_ACCOUNT',
      'Accounts of the security and audit administrators are managed on the server with the tianshu CLI',
      '安全管理员和审计员账号只能在服务器上通过 tianshu 命令行管理',
    ),
  appNotFound: (id: string) =>
    new NotFoundError('APP_NOT_FOUND', `App credential ${id} does not exist`, `应用凭证 ${id} 不存在`),
  appAlreadyRevoked: () => new ConflictError('APP_ALREADY_REVOKED', 'The app credential is already revoked', '该应用凭证已吊销'),
  // Signed requests (DESIGN §6). Distinct codes so an integrator can tell what to fix.
  signatureMissing: (header: string) =>
    new UnauthenticatedError('SIGNATURE_MISSING', `The ${header} header is missing`, `缺少请求头 ${header}`),
  timestampInvalid: () =>
    new UnauthenticatedError(
      'TIMESTAMP_EXPIRED',
      'X-Tianshu-Timestamp is missing, malformed or more than 300 seconds from the server time',
      'X-Tianshu-Timestamp 缺失、格式错误或与服务器时间相差超过 300 秒',
    ),
  nonceInvalid: () =>
    new UnauthenticatedError('NONCE_INVALID', 'X-Tianshu-Nonce must be 8–64 characters of [A-Za-z0-9_-]', 'X-Tianshu-Nonce 须为 8–64 位字母、数字、下划线或连字符'),
  nonceReused: () => new UnauthenticatedError('NONCE_REUSED', 'This nonce was already used', '该随机数已被使用（疑似重放请求）'),
  appUnknown: () => new UnauthenticatedError('APP_UNKNOWN', 'No such app credential', '应用凭证不存在'),
  appRevoked: () => new UnauthenticatedError('APP_REVOKED', 'This app credential has been revoked', '该应用凭证已吊销'),
  signatureInvalid: () =>
    new UnauthenticatedError('SIGNATURE_INVALID', 'The request signature does not verify', '请求签名验证失败'),
};
