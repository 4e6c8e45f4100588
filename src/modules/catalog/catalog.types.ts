import type { Static } from 'typebox';
import type { CatalogContentSchema, EntryStatusSchema, InfoItemSchema, ReturnReason, VersionStatusSchema } from './catalog.schemas.js';

/** The full content of one version of an entry, as stored in `catalog_versions.content`. */
export type CatalogContent = Static<typeof CatalogContentSchema>;
export type InfoItem = Static<typeof InfoItemSchema>;
export type EntryStatus = Static<typeof EntryStatusSchema>;
export type VersionStatus = Static<typeof VersionStatusSchema>;
export type ReturnReasonType = Static<typeof ReturnReason>;
