// 日历: the month's outreach events and appointments by team (GET /api/field/events, /api/appointments)
// with the pension pay days of the org's outlets marked (GET /api/field/pension-days); a click on a day
// lists its events and appointment slots.
import { Badge, Calendar, Card, Col, List, Row, Select, Space, Tag, Typography } from 'antd';
import 'dayjs/locale/zh-cn';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState, ErrorState, LoadingState } from '../../components/PageState';
import { formatDateTime } from '../../format/format';
import { useAppointments, useEvents, usePensionDays } from './api';
import { dayCells, EVENT_TEAMS, monthRange } from './logic';
import { useOrgFilter } from './shared';

export function CalendarTab({ openEvent }: { openEvent: (id: number) => void }) {
  const { t } = useTranslation();
  const { org, orgId } = useOrgFilter();
  const [day, setDay] = useState<Dayjs>(() => dayjs());
  const [team, setTeam] = useState<string | undefined>();
  const month = day.format('YYYY-MM');
  const range = monthRange(month);
  const events = useEvents({ org, from: range.from, to: range.to });
  const appts = useAppointments({ org });
  const pension = usePensionDays(orgId, month);

  const cells = useMemo(
    () =>
      dayCells(events.data?.events ?? [], appts.data?.appointments ?? [], pension.data?.outlets ?? [], team),
    [events.data, appts.data, pension.data, team],
  );

  if (events.isPending || appts.isPending || pension.isPending) return <LoadingState />;
  const failed = [events, appts, pension].find((q) => q.isError);
  if (failed) return <ErrorState error={failed.error} onRetry={() => void failed.refetch()} />;

  const selected = cells.get(day.format('YYYY-MM-DD'));
  return (
    <div data-testid="field-calendar">
      <div className="wj-filters">
        <Select
          allowClear
          aria-label={t('field.team')}
          placeholder={t('field.allTeams')}
          style={{ width: 160 }}
          value={team}
          onChange={setTeam}
          options={EVENT_TEAMS.map((k) => ({ value: k, label: t(`field.teams.${k}`) }))}
          data-testid="calendar-team"
        />
        <Typography.Text type="secondary">{t('field.calendarLimit')}</Typography.Text>
      </div>
      <Row gutter={12}>
        <Col span={15}>
          <Calendar
            value={day}
            onSelect={(d) => setDay(d)}
            onPanelChange={(d) => setDay(d)}
            mode="month"
            cellRender={(d, info) => {
              if (info.type !== 'date') return info.originNode;
              const c = cells.get(d.format('YYYY-MM-DD'));
              if (!c) return null;
              return (
                <div
                  className="wj-cal-cell"
                  data-testid={`cal-${d.format('YYYY-MM-DD')}`}
                  style={{ fontSize: 11, lineHeight: '15px' }}
                >
                  {c.pension.length ? (
                    <Tag color="gold" style={{ fontSize: 10, margin: 0 }}>
                      {t('field.pensionDay')}
                    </Tag>
                  ) : null}
                  {c.events.length ? (
                    <div>
                      <Badge
                        color="blue"
                        text={
                          <span style={{ fontSize: 11 }}>{t('field.eventsN', { n: c.events.length })}</span>
                        }
                      />
                    </div>
                  ) : null}
                  {c.appointments.length ? (
                    <div>
                      <Badge
                        color="green"
                        text={
                          <span style={{ fontSize: 11 }}>
                            {t('field.apptsN', { n: c.appointments.length })}
                          </span>
                        }
                      />
                    </div>
                  ) : null}
                </div>
              );
            }}
          />
        </Col>
        <Col span={9}>
          <Card
            size="small"
            title={t('field.dayTitle', { date: day.format('YYYY-MM-DD') })}
            data-testid="calendar-day"
          >
            {!selected ? (
              <EmptyState title={t('field.dayEmpty')} />
            ) : (
              <Space direction="vertical" style={{ width: '100%' }}>
                {selected.pension.map((p) => (
                  <Tag color="gold" key={p.program_id}>
                    {t('field.pensionPrograms', { name: p.program_name ?? p.program_id, n: p.outlets })}
                  </Tag>
                ))}
                {selected.events.length ? (
                  <List
                    size="small"
                    dataSource={selected.events}
                    renderItem={(e) => (
                      <List.Item>
                        <Typography.Link onClick={() => openEvent(e.event_id)} data-testid="calendar-event">
                          #{e.event_id} {t(`field.teams.${e.team}`)} · {e.place}
                        </Typography.Link>
                        <Tag>{t(`field.eventStatuses.${e.status}`)}</Tag>
                      </List.Item>
                    )}
                  />
                ) : null}
                {selected.appointments.length ? (
                  <List
                    size="small"
                    dataSource={selected.appointments}
                    renderItem={(a) => (
                      <List.Item data-testid="calendar-appointment">
                        <span className="wj-num">
                          {formatDateTime(a.slot_start).slice(11)}–{formatDateTime(a.slot_end).slice(11)}
                        </span>
                        <span>{a.team ? t(`field.teams.${a.team}`) : '—'}</span>
                        <Tag>{t(`field.apptStatuses.${a.status}`)}</Tag>
                      </List.Item>
                    )}
                  />
                ) : null}
              </Space>
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
