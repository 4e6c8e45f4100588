// The one place that declares the portal's pages: path, menu label, icon, who may open it and
// where it sits in the menu. The router, the left menu and the 403 guard are all derived from
// this table, so a new module (catalog, resources, sharing…) adds one entry here and nothing else.
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import {
  ApartmentOutlined,
  ApiOutlined,
  AuditOutlined,
  BarChartOutlined,
  CheckSquareOutlined,
  CalendarOutlined,
  ClusterOutlined,
  DatabaseOutlined,
  FieldTimeOutlined,
  FileExcelOutlined,
  FileSearchOutlined,
  FormOutlined,
  IdcardOutlined,
  KeyOutlined,
  SafetyCertificateOutlined,
  ShoppingCartOutlined,
  SolutionOutlined,
  TableOutlined,
  HomeOutlined,
  TeamOutlined,
} from '@ant-design/icons';
import type { Role } from './api';
import type { MessageKey } from './i18n';

/** Menu sections, in display order. Entries without a group sit at the top. */
export const MENU_GROUPS = [
  { key: 'catalog', labelKey: 'menuGroup.catalog' },
  { key: 'resources', labelKey: 'menuGroup.resources' },
  { key: 'sharing', labelKey: 'menuGroup.sharing' },
  { key: 'system', labelKey: 'menuGroup.system' },
  { key: 'integration', labelKey: 'menuGroup.integration' },
  { key: 'audit', labelKey: 'menuGroup.audit' },
] as const satisfies readonly { key: string; labelKey: MessageKey }[];
export type MenuGroupKey = (typeof MENU_GROUPS)[number]['key'];

export interface RouteDef {
  /** Stable id: React key, menu key and the menu item's data-testid (`menu-<key>`). */
  key: string;
  /** Absolute path, no trailing slash. */
  path: string;
  labelKey: MessageKey;
  icon: ReactNode;
  /** 'any' = every signed-in user; otherwise a user needs at least one of these roles. */
  roles: 'any' | readonly Role[];
  group?: MenuGroupKey;
  /** Reachable by URL but not listed (e.g. detail pages). */
  hideInMenu?: boolean;
  page: LazyExoticComponent<ComponentType>;
}

/** Catalog roles follow the server's catalog.policy.ts: editors edit, submit and import; authorities review. */
const CATALOG_EDIT = ['catalog_editor'] as const satisfies readonly Role[];
const CATALOG_REVIEW = ['data_authority'] as const satisfies readonly Role[];

/**
 * Sharing follows the server's sharing module: consumers apply and use, provider approvers decide on
 * their organisation's entries, the data authority countersigns and oversees its providers' grants.
 */
const SHARING_PARTIES = ['consumer', 'provider_approver', 'data_authority'] as const satisfies readonly Role[];

/** Roles that act on behalf of their organisation and may hold its app credentials. */
const APP_HOLDERS = ['consumer', 'catalog_editor', 'provider_approver', 'data_authority'] as const satisfies readonly Role[];

export const ROUTES: readonly RouteDef[] = [
  {
    key: 'home',
    path: '/',
    labelKey: 'menu.home',
    icon: <HomeOutlined />,
    roles: 'any',
    page: lazy(() => import('./pages/HomePage')),
  },
  {
    key: 'catalog',
    path: '/catalog',
    labelKey: 'menu.catalog',
    icon: <DatabaseOutlined />,
    roles: 'any',
    group: 'catalog',
    page: lazy(() => import('./pages/catalog/CatalogSearchPage')),
  },
  {
    key: 'catalog-new',
    path: '/catalog/new',
    labelKey: 'menu.catalogNew',
    icon: <FormOutlined />,
    roles: CATALOG_EDIT,
    group: 'catalog',
    page: lazy(() => import('./pages/catalog/CatalogEditorPage')),
  },
  {
    key: 'catalog-entry',
    path: '/catalog/entries/:id',
    labelKey: 'menu.catalogEntry',
    icon: <DatabaseOutlined />,
    roles: 'any',
    hideInMenu: true,
    page: lazy(() => import('./pages/catalog/CatalogEntryPage')),
  },
  {
    key: 'catalog-edit',
    path: '/catalog/entries/:id/edit',
    labelKey: 'menu.catalogEdit',
    icon: <FormOutlined />,
    roles: CATALOG_EDIT,
    hideInMenu: true,
    page: lazy(() => import('./pages/catalog/CatalogEditorPage')),
  },
  {
    key: 'catalog-review',
    path: '/catalog/review',
    labelKey: 'menu.catalogReview',
    icon: <FileSearchOutlined />,
    roles: CATALOG_REVIEW,
    group: 'catalog',
    page: lazy(() => import('./pages/catalog/CatalogReviewPage')),
  },
  {
    key: 'catalog-deadlines',
    path: '/catalog/deadlines',
    labelKey: 'menu.catalogDeadlines',
    icon: <FieldTimeOutlined />,
    roles: [...CATALOG_EDIT, ...CATALOG_REVIEW],
    group: 'catalog',
    page: lazy(() => import('./pages/catalog/CatalogDeadlinesPage')),
  },
  {
    key: 'catalog-import',
    path: '/catalog/import',
    labelKey: 'menu.catalogImport',
    icon: <FileExcelOutlined />,
    roles: CATALOG_EDIT,
    group: 'catalog',
    page: lazy(() => import('./pages/catalog/CatalogImportPage')),
  },
  {
    key: 'catalog-systems',
    path: '/catalog/systems',
    labelKey: 'menu.catalogSystems',
    icon: <ClusterOutlined />,
    roles: 'any',
    group: 'catalog',
    page: lazy(() => import('./pages/catalog/InformationSystemsPage')),
  },
  {
    key: 'resource',
    path: '/resources/:id',
    labelKey: 'menu.resource',
    icon: <TableOutlined />,
    roles: 'any',
    hideInMenu: true,
    page: lazy(() => import('./pages/resources/ResourcePage')),
  },
  {
    key: 'profiles',
    path: '/profiles',
    labelKey: 'menu.profiles',
    icon: <IdcardOutlined />,
    roles: 'any',
    group: 'resources',
    page: lazy(() => import('./pages/resources/ProfilePage')),
  },
  {
    key: 'sharing-cart',
    path: '/sharing/cart',
    labelKey: 'menu.sharingCart',
    icon: <ShoppingCartOutlined />,
    roles: ['consumer'],
    group: 'sharing',
    page: lazy(() => import('./pages/sharing/CartPage')),
  },
  {
    key: 'sharing-mine',
    path: '/sharing/applications',
    labelKey: 'menu.sharingMine',
    icon: <SolutionOutlined />,
    roles: ['consumer'],
    group: 'sharing',
    page: lazy(() => import('./pages/sharing/MyApplicationsPage')),
  },
  {
    key: 'sharing-application',
    path: '/sharing/applications/:id',
    labelKey: 'menu.sharingApplication',
    icon: <SolutionOutlined />,
    roles: SHARING_PARTIES,
    hideInMenu: true,
    page: lazy(() => import('./pages/sharing/ApplicationPage')),
  },
  {
    key: 'sharing-approvals',
    path: '/sharing/approvals',
    labelKey: 'menu.sharingApprovals',
    icon: <CheckSquareOutlined />,
    roles: ['provider_approver'],
    group: 'sharing',
    page: lazy(() => import('./pages/sharing/ApprovalsPage')),
  },
  {
    key: 'sharing-countersign',
    path: '/sharing/countersign',
    labelKey: 'menu.sharingCountersign',
    icon: <SafetyCertificateOutlined />,
    roles: ['data_authority'],
    group: 'sharing',
    page: lazy(() => import('./pages/sharing/CountersignPage')),
  },
  {
    key: 'sharing-grants',
    path: '/sharing/grants',
    labelKey: 'menu.sharingGrants',
    icon: <KeyOutlined />,
    roles: SHARING_PARTIES,
    group: 'sharing',
    page: lazy(() => import('./pages/sharing/GrantsPage')),
  },
  {
    key: 'sharing-grant',
    path: '/sharing/grants/:id',
    labelKey: 'menu.sharingGrant',
    icon: <KeyOutlined />,
    roles: SHARING_PARTIES,
    hideInMenu: true,
    page: lazy(() => import('./pages/sharing/GrantPage')),
  },
  {
    key: 'sharing-stats',
    path: '/sharing/stats',
    labelKey: 'menu.sharingStats',
    icon: <BarChartOutlined />,
    roles: SHARING_PARTIES,
    group: 'sharing',
    page: lazy(() => import('./pages/sharing/SharingStatsPage')),
  },
  {
    key: 'sharing-demands',
    path: '/sharing/demands',
    labelKey: 'menu.sharingDemands',
    icon: <FileSearchOutlined />,
    roles: SHARING_PARTIES,
    group: 'sharing',
    page: lazy(() => import('./pages/sharing/DemandsPage')),
  },
  {
    key: 'sharing-demand-new',
    path: '/sharing/demands/new',
    labelKey: 'menu.sharingDemandNew',
    icon: <FileSearchOutlined />,
    roles: ['consumer'],
    hideInMenu: true,
    page: lazy(() => import('./pages/sharing/DemandNewPage')),
  },
  {
    key: 'sharing-demand',
    path: '/sharing/demands/:id',
    labelKey: 'menu.sharingDemand',
    icon: <FileSearchOutlined />,
    roles: SHARING_PARTIES,
    hideInMenu: true,
    page: lazy(() => import('./pages/sharing/DemandPage')),
  },
  {
    key: 'sharing-objections',
    path: '/sharing/objections',
    labelKey: 'menu.sharingObjections',
    icon: <FormOutlined />,
    roles: SHARING_PARTIES,
    group: 'sharing',
    page: lazy(() => import('./pages/sharing/ObjectionsPage')),
  },
  {
    key: 'sharing-objection-new',
    path: '/sharing/objections/new',
    labelKey: 'menu.sharingObjectionNew',
    icon: <FormOutlined />,
    roles: ['consumer'],
    hideInMenu: true,
    page: lazy(() => import('./pages/sharing/ObjectionNewPage')),
  },
  {
    key: 'sharing-objection',
    path: '/sharing/objections/:id',
    labelKey: 'menu.sharingObjection',
    icon: <FormOutlined />,
    roles: SHARING_PARTIES,
    hideInMenu: true,
    page: lazy(() => import('./pages/sharing/ObjectionPage')),
  },
  {
    key: 'sharing-exports',
    path: '/sharing/exports',
    labelKey: 'menu.sharingExports',
    icon: <FileExcelOutlined />,
    roles: SHARING_PARTIES,
    group: 'sharing',
    page: lazy(() => import('./pages/sharing/ExportsPage')),
  },
  {
    key: 'organisations',
    path: '/organisations',
    labelKey: 'menu.organisations',
    icon: <ApartmentOutlined />,
    // security_admin sees the list read-only: role decisions depend on who belongs where.
    roles: ['platform_admin', 'security_admin'],
    group: 'system',
    page: lazy(() => import('./pages/OrganisationsPage')),
  },
  {
    key: 'users',
    path: '/users',
    labelKey: 'menu.users',
    icon: <TeamOutlined />,
    // audit_admin reads the list (who is who in the ledger) but has no buttons.
    roles: ['platform_admin', 'security_admin', 'audit_admin'],
    group: 'system',
    page: lazy(() => import('./pages/UsersPage')),
  },
  {
    key: 'calendar',
    path: '/calendar',
    labelKey: 'menu.calendar',
    icon: <CalendarOutlined />,
    roles: ['platform_admin'],
    group: 'system',
    page: lazy(() => import('./pages/CalendarPage')),
  },
  {
    key: 'apps',
    path: '/apps',
    labelKey: 'menu.apps',
    icon: <ApiOutlined />,
    roles: ['security_admin', ...APP_HOLDERS],
    group: 'integration',
    page: lazy(() => import('./pages/AppsPage')),
  },
  {
    key: 'ledger',
    path: '/ledger',
    labelKey: 'menu.ledger',
    icon: <AuditOutlined />,
    roles: ['audit_admin'],
    group: 'audit',
    page: lazy(() => import('./pages/LedgerPage')),
  },
];

export function canAccess(route: Pick<RouteDef, 'roles'>, userRoles: readonly Role[]): boolean {
  return route.roles === 'any' || route.roles.some((r) => userRoles.includes(r));
}

export function routeByKey(key: string): RouteDef | undefined {
  return ROUTES.find((r) => r.key === key);
}
