import { useMemo, useState } from 'react';
import { Alert, Button, Calendar, Card, Col, DatePicker, Descriptions, Form, Input, InputNumber, Modal, Radio, Row, Space, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { calendarApi, type CalendarDay, type DayKind, type WorkingDaysResult } from '../api';
import { useI18n, type MessageKey } from '../i18n';
import { useAsync } from '../hooks/useAsync';
import { useFeedback } from '../hooks/useFeedback';
import { buttonTestId } from '../lib/testid';
import { LoadError } from '../components/LoadError';

const DATE = 'YYYY-MM-DD';

type Paint = DayKind | 'override';

const PAINT: Record<Paint, { bg: string; fg: string; labelKey: MessageKey }> = {
  workday: { bg: '#f0f5ff', fg: '#1f4e99', labelKey: 'dayKind.workday' },
  weekend: { bg: '#f5f5f5', fg: '#8c8c8c', labelKey: 'dayKind.weekend' },
  holiday: { bg: '#fff1f0', fg: '#cf1322', labelKey: 'dayKind.holiday' },
  adjusted_workday: { bg: '#fff7e6', fg: '#d46b08', labelKey: 'dayKind.adjusted_workday' },
  override: { bg: '#f9f0ff', fg: '#531dab', labelKey: 'dayKind.override' },
};

/** An admin override wins over the official kind, so it is what the cell shows. */
const paintOf = (d: CalendarDay): Paint => (d.override ? 'override' : d.kind);

function DayDialog({ day, onClose, onDone }: { day: CalendarDay; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const { ok, errorText } = useFeedback();
  const [form] = Form.useForm<{ isWorkingDay: boolean; note: string }>();
  const [busy, setBusy] = useState<'save' | 'remove' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const act = async (kind: 'save' | 'remove') => {
    let body: { isWorkingDay: boolean; note: string } | null = null;
    if (kind === 'save') body = await form.validateFields();
    setBusy(kind);
    setError(null);
    try {
      if (body) {
        await calendarApi.setOverride(day.date, { isWorkingDay: body.isWorkingDay, note: body.note.trim() });
        ok(t('calendar.overrideSaved', { date: day.date }));
      } else {
        await calendarApi.deleteOverride(day.date);
        ok(t('calendar.overrideRemoved', { date: day.date }));
      }
      onDone();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Modal
      open
      title={`${day.date} · ${dayjs(day.date).format('dddd')}`}
      onCancel={onClose}
      footer={
        <Space>
          {day.override && (
            <Button danger loading={busy === 'remove'} onClick={() => void act('remove')} data-testid="calendar-override-remove">
              {t('calendar.removeOverride')}
            </Button>
          )}
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={busy === 'save'} onClick={() => void act('save').catch(() => undefined)} {...buttonTestId('calendar-override-save')}>
            {t('calendar.saveOverride')}
          </Button>
        </Space>
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
      <Descriptions
        column={1}
        size="small"
        style={{ marginBottom: 16 }}
        items={[
          { key: 'kind', label: t('calendar.officialKind'), children: <Tag color={PAINT[day.kind].fg}>{t(PAINT[day.kind].labelKey)}</Tag> },
          ...(day.holidayName ? [{ key: 'h', label: t('calendar.holidayName'), children: day.holidayName }] : []),
          {
            key: 'o',
            label: t('calendar.override'),
            children: day.override
              ? `${day.override.isWorkingDay ? t('calendar.working') : t('calendar.resting')} · ${day.override.note}`
              : t('calendar.noOverride'),
          },
          { key: 'w', label: t('calendar.effective'), children: day.isWorkingDay ? t('calendar.working') : t('calendar.resting') },
        ]}
      />
      <Typography.Text strong>{day.override ? t('calendar.changeOverride') : t('calendar.addOverride')}</Typography.Text>
      <Form
        form={form}
        layout="vertical"
        style={{ marginTop: 8 }}
        initialValues={{ isWorkingDay: day.override ? day.override.isWorkingDay : !day.isWorkingDay, note: day.override?.note ?? '' }}
      >
        <Form.Item name="isWorkingDay" label={t('calendar.dayIs')}>
          <Radio.Group
            optionType="button"
            options={[
              { value: true, label: t('calendar.working') },
              { value: false, label: t('calendar.resting') },
            ]}
          />
        </Form.Item>
        <Form.Item name="note" label={t('calendar.note')} rules={[{ required: true, whitespace: true, message: t('calendar.noteRequired') }]}>
          <Input.TextArea rows={2} maxLength={200} placeholder={t('calendar.notePlaceholder')} data-testid="calendar-override-note" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function WorkingDaysCalculator() {
  const { t } = useI18n();
  const { errorText } = useFeedback();
  const [from, setFrom] = useState<Dayjs | null>(dayjs());
  const [days, setDays] = useState<number | null>(20);
  const [result, setResult] = useState<WorkingDaysResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const compute = async () => {
    if (!from || days === null) return;
    setBusy(true);
    setError(null);
    try {
      setResult(await calendarApi.workingDays(from.format(DATE), days));
    } catch (e) {
      setResult(null);
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title={t('calendar.calcTitle')} data-testid="calendar-calculator">
      <Typography.Paragraph type="secondary">{t('calendar.calcHelp')}</Typography.Paragraph>
      <Space wrap>
        <DatePicker value={from} onChange={setFrom} allowClear={false} data-testid="calendar-calc-from" />
        <Space.Compact>
          <InputNumber min={1} max={3650} value={days} onChange={setDays} data-testid="calendar-calc-days" />
          <Space.Addon>{t('calendar.workingDaysUnit')}</Space.Addon>
        </Space.Compact>
        <Button type="primary" loading={busy} onClick={() => void compute()} disabled={!from || !days} data-testid="calendar-calc-run">
          {t('calendar.calcRun')}
        </Button>
      </Space>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} />}
      {result && (
        <Alert
          type="info"
          style={{ marginTop: 12 }}
          title={t('calendar.calcResult', {
            from: result.from,
            days: result.days,
            date: result.date,
            weekday: dayjs(result.date).format('dddd'),
          })}
          data-testid="calendar-calc-result"
        />
      )}
    </Card>
  );
}

export default function CalendarPage() {
  const { t } = useI18n();
  // The highlighted day; the month shown (and fetched) follows it.
  const [value, setValue] = useState<Dayjs>(() => dayjs());
  const month = value.startOf('month');
  const [mode, setMode] = useState<'month' | 'year'>('month');
  const [open, setOpen] = useState<CalendarDay | null>(null);

  // The month grid shows parts of the neighbouring months; fetch a margin on both sides.
  const range = useMemo(
    () => ({ from: month.subtract(7, 'day').format(DATE), to: month.endOf('month').add(14, 'day').format(DATE) }),
    // Keyed on the month's text: `month` is a new Dayjs object on every render.
    [month.format('YYYY-MM')],
  );
  const { data, error, reload, loading } = useAsync(() => calendarApi.days(range.from, range.to), [range.from, range.to]);
  const byDate = useMemo(() => new Map((data?.items ?? []).map((d) => [d.date, d])), [data]);

  return (
    <div data-testid="page-calendar">
      <Typography.Title level={4} className="ts-page-title">
        {t('menu.calendar')}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} xxl={17}>
          <Card
            title={t('calendar.monthTitle')}
            extra={
              <Space wrap size={4}>
                {(Object.keys(PAINT) as Paint[]).map((k) => (
                  <span key={k} className="ts-cal-cell" style={{ background: PAINT[k].bg, color: PAINT[k].fg }}>
                    {t(PAINT[k].labelKey)}
                  </span>
                ))}
              </Space>
            }
            loading={false}
          >
            <LoadError error={error} onRetry={reload} />
            <Typography.Paragraph type="secondary">{t('calendar.clickHelp')}</Typography.Paragraph>
            <Calendar
              value={value}
              mode={mode}
              onPanelChange={(d, m) => {
                setMode(m);
                setValue(d);
              }}
              onSelect={(d, info) => {
                setValue(d);
                // Picking a month in the year view or changing the header selects is navigation.
                if (info.source !== 'date') {
                  if (info.source === 'month') setMode('month');
                  return;
                }
                const day = byDate.get(d.format(DATE));
                if (day) setOpen(day);
              }}
              cellRender={(d, info) => {
                if (info.type !== 'date') return info.originNode;
                const day = byDate.get(d.format(DATE));
                if (!day) return loading ? null : undefined;
                const p = PAINT[paintOf(day)];
                return (
                  <div data-testid={`calendar-day-${day.date}`}>
                    <div className="ts-cal-cell" style={{ background: p.bg, color: p.fg }}>
                      {t(p.labelKey)}
                    </div>
                    {day.holidayName && <div style={{ fontSize: 12, color: '#cf1322', marginTop: 2 }}>{day.holidayName}</div>}
                    {day.override && (
                      <div style={{ fontSize: 12, color: '#531dab', marginTop: 2 }} title={day.override.note}>
                        {day.override.isWorkingDay ? t('calendar.working') : t('calendar.resting')} · {day.override.note}
                      </div>
                    )}
                  </div>
                );
              }}
            />
          </Card>
        </Col>
        <Col xs={24} xxl={7}>
          <WorkingDaysCalculator />
        </Col>
      </Row>
      {open && (
        <DayDialog
          key={open.date}
          day={open}
          onClose={() => setOpen(null)}
          onDone={() => {
            setOpen(null);
            reload();
          }}
        />
      )}
    </div>
  );
}
