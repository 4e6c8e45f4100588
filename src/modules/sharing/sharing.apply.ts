import type { UserActor } from '../../core/auth/actor.js';
import { addCalendarDays, isValidDate } from '../../core/calendar/index.js';
import { AppError } from '../../core/errors.js';
import type { CatalogEntry, CatalogService } from '../catalog/index.js';
import { sharingErrors as E } from './sharing.errors.js';
import { defaultMaskRule, type ApplicationInput, type MaskRule, type ShareMethod } from './sharing.types.js';

/**
 * Checking an application against the entry it is for (the first stage of applying): the entry's
 * version in force, its share type and methods, the items asked for, the texts and the validity.
 * Every problem is reported, each with the code a single application would be refused with, so
 * that the cart can show them all at once.
 */

/** The limit on purpose, legal basis, scenario and decision texts. */
export const TEXT_MAX = 2000;
/** An application may ask for data for at most this many years. */
export const VALIDITY_YEARS = 3;

/** What an application needs of a catalog entry: its version in force. */
export interface EntryInForce {
  id: string;
  code: string;
  name: string;
  version: number;
  providerId: string;
  providerName: string;
  shareType: 'unconditional' | 'conditional' | 'none';
  nonShareBasis: string | null;
  shareMethods: ShareMethod[];
  securityGrade: string;
  items: Array<{ column: string; piiKind: string | null; shareType: 'unconditional' | 'conditional' | 'none' | null }>;
}

/** An application ready to store. */
export interface CheckedApplication {
  entry: EntryInForce;
  items: string[];
  defaultMasking: Record<string, MaskRule>;
  purpose: string;
  legalBasis: string;
  scenario: string;
  methods: ShareMethod[];
  validUntil: string;
  /** False only for an unconditional entry asked for items that are all unconditional: granted at once. */
  needsApproval: boolean;
}

/**
 * The entry as the applicant may see it, at its version in force: through the catalog's own read,
 * so an entry the caller cannot see is 404 exactly as in the catalog. (A reviewer who also applies
 * sees the latest version there; it applies for the version in force.)
 */
export async function entryInForce(catalog: Pick<CatalogService, 'get' | 'versions'>, actor: UserActor, catalogId: string): Promise<EntryInForce> {
  let entry: CatalogEntry;
  try {
    entry = await catalog.get(actor, catalogId);
  } catch (err) {
    if (err instanceof AppError && err.status === 404) throw E.entryNotFound(catalogId);
    throw err;
  }
  if (entry.publishedVersion === null || entry.status === 'retired') throw E.entryNotPublished(catalogId, entry.status);
  let content: Pick<CatalogEntry, 'name' | 'shareType' | 'nonShareBasis' | 'shareMethods' | 'securityGrade' | 'items'> = entry;
  if (entry.version !== entry.publishedVersion) {
    const inForce = (await catalog.versions(actor, entry.id)).find((v) => v.version === entry.publishedVersion);
    if (!inForce) throw E.entryNotPublished(catalogId, entry.status);
    content = inForce.content;
  }
  return {
    id: entry.id,
    code: entry.code,
    name: content.name,
    version: entry.publishedVersion,
    providerId: entry.provider.id,
    providerName: entry.provider.name,
    shareType: content.shareType,
    nonShareBasis: content.nonShareBasis,
    shareMethods: content.shareMethods,
    securityGrade: content.securityGrade,
    items: content.items.map((i) => ({ column: i.column, piiKind: i.piiKind, shareType: i.shareType })),
  };
}

/** Checks one application; returns it ready to store, or every problem found (never both). */
export function checkApplication(
  input: ApplicationInput,
  entry: EntryInForce,
  applicantOrgId: string,
  today: string,
): { ok: CheckedApplication; problems?: undefined } | { ok?: undefined; problems: AppError[] } {
  // These end the check: nothing else about the entry matters.
  if (entry.providerId === applicantOrgId) return { problems: [E.applyOwnEntry()] };
  if (entry.shareType === 'none') return { problems: [E.entryNotShared(entry.nonShareBasis)] };

  const problems: AppError[] = [];
  // Items: as asked (without repeats), or every item that may be shared.
  const byColumn = new Map(entry.items.map((i) => [i.column, i]));
  const effective = (i: EntryInForce['items'][number]) => i.shareType ?? entry.shareType;
  let items: string[];
  if (input.items === undefined) {
    items = entry.items.filter((i) => effective(i) !== 'none').map((i) => i.column);
    if (items.length === 0) problems.push(E.noItems());
  } else {
    items = [...new Set(input.items)];
    const unknown = items.filter((c) => !byColumn.has(c));
    const notShared = items.filter((c) => byColumn.has(c) && effective(byColumn.get(c)!) === 'none');
    if (items.length === 0) problems.push(E.itemUnknown([]));
    if (unknown.length > 0) problems.push(E.itemUnknown(unknown));
    if (notShared.length > 0) problems.push(E.itemNotShared(notShared));
  }

  const methods = [...new Set(input.methods)];
  const notOffered = methods.filter((m) => !entry.shareMethods.includes(m));
  if (methods.length === 0 || notOffered.length > 0) problems.push(E.methodNotOffered(notOffered, entry.shareMethods));

  const texts = { purpose: input.purpose, legalBasis: input.legalBasis, scenario: input.scenario };
  for (const [field, value] of Object.entries(texts)) {
    const problem = checkText(field, value);
    if (problem) problems.push(problem);
  }

  const { earliest, latest } = validityBounds(today);
  if (!isValidDate(input.validUntil) || input.validUntil < earliest || input.validUntil > latest) {
    problems.push(E.validUntilInvalid(String(input.validUntil), earliest, latest));
  }

  if (problems.length > 0) return { problems };
  return {
    ok: {
      entry,
      items,
      defaultMasking: Object.fromEntries(items.map((c) => [c, defaultMaskRule(byColumn.get(c)!.piiKind)])),
      purpose: texts.purpose.trim(),
      legalBasis: texts.legalBasis.trim(),
      scenario: texts.scenario.trim(),
      methods,
      validUntil: input.validUntil,
      needsApproval: entry.shareType === 'conditional' || items.some((c) => effective(byColumn.get(c)!) === 'conditional'),
    },
  };
}

/** A required free text: non-blank and at most TEXT_MAX characters (after trimming). */
export function checkText(field: string, value: string | undefined): AppError | undefined {
  if (typeof value !== 'string' || value.trim() === '') return E.textRequired(field);
  if (value.trim().length > TEXT_MAX) return E.textTooLong(field, TEXT_MAX);
  return undefined;
}

/** validUntil runs from tomorrow to the same day three years on (28 February for a 29 February). */
export function validityBounds(today: string): { earliest: string; latest: string } {
  const year = Number(today.slice(0, 4)) + VALIDITY_YEARS;
  const sameDay = `${year}${today.slice(4)}`;
  return { earliest: addCalendarDays(today, 1), latest: isValidDate(sameDay) ? sameDay : `${year}-02-28` };
}
