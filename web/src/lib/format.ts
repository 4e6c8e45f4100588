import dayjs from 'dayjs';

/** Local wall-clock time; the API sends ISO 8601 with offset. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = dayjs(iso);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm:ss') : iso;
}

export function shortHash(hex: string, n = 12): string {
  return hex.length > n * 2 ? `${hex.slice(0, n)}…${hex.slice(-4)}` : hex;
}
