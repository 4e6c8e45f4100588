import { InputError } from '../../../core/errors.js';

/**
 * Free texts of demands and objections: required ones non-blank, all of them at most `max`
 * characters after trimming. Same codes as applications' texts (TEXT_REQUIRED, TEXT_TOO_LONG).
 */
export const TEXT_MAX = 2000;
export const TITLE_MAX = 200;

const FIELD_ZH: Record<string, string> = {
  title: '标题',
  description: '描述',
  purpose: '用途',
  legalBasis: '法律依据',
  comment: '意见',
  reason: '理由',
};

export function requiredText(field: string, value: string | undefined, max = TEXT_MAX): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InputError('TEXT_REQUIRED', `${field} must not be blank`, `${FIELD_ZH[field] ?? field}不能为空`, { field });
  }
  const trimmed = value.trim();
  if (trimmed.length > max) throw new InputError('TEXT_TOO_LONG', `${field} is longer than ${max} characters`, `${FIELD_ZH[field] ?? field}不能超过 ${max} 个字符`, { field, max });
  return trimmed;
}

/** Trimmed, or null when absent or blank. */
export function optionalText(field: string, value: string | undefined, max = TEXT_MAX): string | null {
  if (value === undefined || value.trim() === '') return null;
  return requiredText(field, value, max);
}
