import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../../core/db/migrations.js';

export { LedgerService, SIGNER_ID, type TreeHead, type InclusionProof, type VerifyReport } from './ledger.service.js';
export { ledgerRoutes } from './ledger.routes.js';

export const ledgerMigrations: MigrationSource = {
  module: 'ledger',
  dir: fileURLToPath(new URL('./migrations', import.meta.url)),
};
