import { Tag } from 'antd';
import { http } from '../../api/client';
import type { Objection, ObjectionInput, ObjectionQuery, ObjectionStatus, Page } from '../../api';
import { useI18n } from '../../i18n';
import { labelOr } from './DemandBits';

/** The objections API (server: sharing/objections/objections.routes.ts). */
export const objectionApi = {
  file: (body: ObjectionInput) => http.post<Objection>('/objections', body),
  list: (q: ObjectionQuery) => http.get<Page<Objection>>('/objections', { ...q }),
  get: (id: string) => http.get<Objection>(`/objections/${encodeURIComponent(id)}`),
  resolve: (id: string, body: { outcome: string; comment: string }) => http.post<Objection>(`/objections/${encodeURIComponent(id)}/resolve`, body),
  arbitrate: (id: string, body: { outcome: string; comment: string }) => http.post<Objection>(`/objections/${encodeURIComponent(id)}/arbitrate`, body),
  withdraw: (id: string, body: { reason?: string }) => http.post<Objection>(`/objections/${encodeURIComponent(id)}/withdraw`, body),
};

const COLOURS: Record<ObjectionStatus, string> = { open: 'processing', resolved: 'success', arbitrated: 'purple', withdrawn: 'default' };
const OUTCOME_COLOURS: Record<string, string> = { corrected: 'success', confirmed: 'blue', rejected: 'default', upheld: 'default', overturned: 'success', superseded: 'default' };

export function ObjectionStatusTag({ status, testId }: { status: ObjectionStatus; testId?: string }) {
  const { t } = useI18n();
  return (
    <Tag color={COLOURS[status] ?? 'default'} data-testid={testId} data-status={status}>
      {labelOr(t, `objection.status.${status}`, status)}
    </Tag>
  );
}

export function ObjectionKindTag({ kind }: { kind: Objection['kind'] }) {
  const { t } = useI18n();
  return <Tag color={kind === 'data' ? 'cyan' : 'magenta'}>{labelOr(t, `objection.kind.${kind}`, kind)}</Tag>;
}

export function ObjectionOutcomeTag({ outcome, testId }: { outcome: NonNullable<Objection['outcome']>; testId?: string }) {
  const { t } = useI18n();
  return (
    <Tag color={OUTCOME_COLOURS[outcome] ?? 'default'} data-testid={testId} data-outcome={outcome}>
      {labelOr(t, `objection.outcome.${outcome}`, outcome)}
    </Tag>
  );
}
