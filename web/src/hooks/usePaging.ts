import { useCallback, useState } from 'react';
import type { TablePaginationConfig } from 'antd';
import { useI18n } from '../i18n';

/**
 * A server-paged list's page and page size, and the Table's pagination for a total. A new page size
 * goes back to page 1; `reset` does too (a filter changed).
 */
export function usePaging(initialPageSize = 20) {
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const [pageSize, setPageSize] = useState(initialPageSize);
  const reset = useCallback(() => setPage(1), []);
  const pagination = (total: number | undefined): TablePaginationConfig => ({
    current: page,
    pageSize,
    total: total ?? 0,
    showSizeChanger: true,
    showTotal: (n) => t('common.total', { total: n }),
    onChange: (p, s) => {
      setPage(s === pageSize ? p : 1);
      setPageSize(s);
    },
  });
  return { page, pageSize, reset, pagination };
}
