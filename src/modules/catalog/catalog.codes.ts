/**
 * Catalog codes (《政务信息资源目录编制指南（试行）》): classification, then the provider's code, then a
 * sequence. Provinces number differently, so the generator is pluggable: a node passes its own
 * `CatalogCodeGenerator` to the catalog service.
 */
export interface CatalogCodeGenerator {
  /** Undefined when the category is acceptable, else why not (English, Chinese). */
  checkCategory(category: string): { message: string; messageZh: string } | undefined;
  /** The code of a new entry; `sequence` is 1, 2, … per provider, so the result is unique. */
  generate(input: { category: string; providerCode: string; sequence: number }): string;
}

const CATEGORY = /^([1-9])-([0-9]{2})-([0-9]{3})(?:-([0-9]{3}))?$/;

/**
 * The default: category 类(1 digit)-项(2)-目(3)-细目(3, optional) written without dashes and with
 * 细目 `000` when absent, then the provider's unified social credit code, then a 6-digit sequence
 * per provider: `1-01-001` from 11630000015300970K, first entry → `101001000-11630000015300970K-000001`.
 */
export const defaultCodeGenerator: CatalogCodeGenerator = {
  checkCategory(category) {
    if (CATEGORY.test(category)) return undefined;
    return {
      message: 'The category must be 类-项-目 or 类-项-目-细目, e.g. 1-01-001 or 1-01-001-002',
      messageZh: '目录分类须为“类-项-目”或“类-项-目-细目”，例如 1-01-001 或 1-01-001-002',
    };
  },
  generate({ category, providerCode, sequence }) {
    const m = CATEGORY.exec(category);
    if (!m) throw new Error(`unchecked category ${category}`);
    return `${m[1]}${m[2]}${m[3]}${m[4] ?? '000'}-${providerCode}-${String(sequence).padStart(6, '0')}`;
  },
};
