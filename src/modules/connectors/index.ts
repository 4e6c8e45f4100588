import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../core/db/migrations.js';
import { ConnectorKinds } from './connectors.kinds.js';
import { httpKind } from './kinds/http.js';
import { mysqlKind } from './kinds/mysql.js';
import { postgresKind } from './kinds/postgres.js';

export { ConnectorService, type Connector, type ConnectorRun, type TestResult } from './connectors.service.js';
export { connectorRoutes } from './connectors.routes.js';
export { createHostPolicy, type HostPolicy } from './connectors.hosts.js';
export { ConnectorKinds, type ConnectorKind, type Pull, type PullContext, type SourceRow } from './connectors.kinds.js';

/** The kinds a node offers: PostgreSQL, MySQL and paged JSON over HTTP. */
export function defaultConnectorKinds(): ConnectorKinds {
  return new ConnectorKinds().register(postgresKind).register(mysqlKind).register(httpKind);
}

export const connectorMigrations: MigrationSource = {
  module: 'connectors',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
