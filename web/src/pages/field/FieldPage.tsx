// 外拓 Field operations (PLAYBOOK P3, P6, P7, P11, O2): one page with a tab per record kind, each tab a
// route of its own (/field/calendar, /field/events, /field/events/:id …; the search — ?org= — is kept).
import { Alert, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { PageHead } from '../../components/PageState';
import { AppointmentsTab } from './AppointmentsTab';
import { CalendarTab } from './CalendarTab';
import { EventRecord, EventsTab } from './EventsTab';
import { PlacesTab } from './PlacesTab';
import { useCanWrite } from './shared';
import { P7Tab, PlansTab } from './TablesTab';
import { VisitsTab } from './VisitsTab';

const TABS = ['calendar', 'events', 'appointments', 'places', 'visits', 'p7', 'plans'] as const;
type Tab = (typeof TABS)[number];

export function FieldPage() {
  const { t } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const canWrite = useCanWrite();
  const rest = location.pathname.replace(/^\/field\/?/, '').split('/');
  const tab: Tab = (TABS as readonly string[]).includes(rest[0] ?? '') ? (rest[0] as Tab) : 'calendar';
  const eventId = tab === 'events' && rest[1] ? Number(rest[1]) : null;
  const go = (path: string) => navigate({ pathname: `/field/${path}`, search: location.search });

  const body = (k: Tab) => {
    switch (k) {
      case 'calendar':
        return <CalendarTab openEvent={(id) => go(`events/${id}`)} />;
      case 'events':
        return eventId !== null ? (
          <EventRecord id={eventId} back={() => go('events')} />
        ) : (
          <EventsTab openEvent={(id) => go(`events/${id}`)} />
        );
      case 'appointments':
        return <AppointmentsTab />;
      case 'places':
        return <PlacesTab openEvent={(id) => go(`events/${id}`)} />;
      case 'visits':
        return <VisitsTab />;
      case 'p7':
        return <P7Tab />;
      case 'plans':
        return <PlansTab />;
    }
  };

  return (
    <div data-testid="page-field">
      <PageHead title={t('field.title')} purpose={t('field.purpose')} />
      {canWrite ? null : (
        <Alert
          type="info"
          showIcon
          message={t('field.readOnly')}
          style={{ marginBottom: 8 }}
          data-testid="field-read-only"
        />
      )}
      <Tabs
        activeKey={tab}
        onChange={(k) => go(k)}
        destroyOnHidden
        items={TABS.map((k) => ({
          key: k,
          label: <span data-testid={`field-tab-${k}`}>{t(`field.tabs.${k}`)}</span>,
          children: k === tab ? body(k) : null,
        }))}
      />
    </div>
  );
}
