import { Tag } from 'antd';
import { http } from '../../api/client';
import type { Demand, DemandAnswerInput, DemandInput, DemandQuery, DemandStatus, Page } from '../../api';
import { useI18n, type MessageKey } from '../../i18n';

/** The demands API (server: sharing/demands/demands.routes.ts). */
export const demandApi = {
  file: (body: DemandInput) => http.post<Demand>('/demands', body),
  list: (q: DemandQuery) => http.get<Page<Demand>>('/demands', { ...q }),
  get: (id: string) => http.get<Demand>(`/demands/${encodeURIComponent(id)}`),
  route: (id: string, body: { providerOrgId: string; comment?: string }) => http.post<Demand>(`/demands/${encodeURIComponent(id)}/route`, body),
  answer: (id: string, body: DemandAnswerInput) => http.post<Demand>(`/demands/${encodeURIComponent(id)}/answer`, body),
  withdraw: (id: string, reason?: string) => http.post<Demand>(`/demands/${encodeURIComponent(id)}/withdraw`, reason ? { reason } : {}),
};

const COLOURS: Record<DemandStatus, string> = { submitted: 'blue', routed: 'processing', answered: 'success', withdrawn: 'default' };

/** A key the portal does not know yet shows as sent. */
export function labelOr(t: (k: MessageKey) => string, key: string, fallback: string): string {
  const text = t(key as MessageKey);
  return text === key ? fallback : text;
}

export function DemandStatusTag({ demand, testId }: { demand: Pick<Demand, 'status' | 'answer'>; testId?: string }) {
  const { t } = useI18n();
  // An answer of "not held" leaves the demand with the authority: shown apart from a met demand.
  const notHeld = demand.status === 'answered' && demand.answer?.kind === 'not_held';
  return (
    <Tag color={notHeld ? 'warning' : (COLOURS[demand.status] ?? 'default')} data-testid={testId} data-status={demand.status}>
      {notHeld ? t('demand.status.notHeld') : labelOr(t, `demand.status.${demand.status}`, demand.status)}
    </Tag>
  );
}

export function DemandAnswerText({ answer }: { answer: NonNullable<Demand['answer']> }) {
  const { t } = useI18n();
  if (answer.kind === 'entry' && answer.catalog) return <span>{t('demand.answer.entryText', { name: answer.catalog.name, code: answer.catalog.code })}</span>;
  if (answer.kind === 'planned') return <span>{t('demand.answer.plannedText', { date: answer.plannedDate ?? '' })}</span>;
  return <span>{t('demand.answer.notHeldText')}</span>;
}
