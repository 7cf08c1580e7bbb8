// The app frame (UI.md "Frame"): the left menu grouped by job with only what the role may open; the top
// bar with the phase as a coloured tag and its days left, the data date, the org in view (a tree picker
// of the user's scope, on pages that show an org's figures), the language switch and the user menu.
import { DownOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Dropdown, Layout, Menu, Segmented, Space, Tag } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { useDashboard, useSignOut } from '../api/hooks';
import { setLanguage, type UiLang } from '../i18n';
import { isOrgScoped, menuFor } from './menu';
import { OrgPicker } from './OrgPicker';
import { can, useCurrentSession } from './session';

const PHASE_COLORS: Record<string, string> = {
  YEAR_END: '#cf1322',
  NEW_YEAR: '#d4380d',
  CONSOLIDATION: '#c41d7f',
};

function PhaseTag() {
  const s = useCurrentSession();
  const { t, i18n } = useTranslation();
  const q = useDashboard(s.user.orgId, can(s, 'dashboard:read'));
  const phase = q.data?.phase;
  return (
    <Space size={12}>
      {phase ? (
        <Tag
          color={PHASE_COLORS[phase.phase] ?? 'red'}
          style={{ fontSize: 14, padding: '2px 10px' }}
          data-testid="phase"
        >
          {i18n.language.startsWith('en') ? phase.en : phase.slogan} ·{' '}
          {t('top.daysLeft', { n: phase.daysLeft })}
        </Tag>
      ) : null}
      {q.data ? (
        <span style={{ color: '#d9d9d9' }} data-testid="as-of">
          {q.data.asOf ? t('top.asOf', { date: q.data.asOf }) : t('top.noData')}
        </span>
      ) : null}
    </Space>
  );
}

export function Frame({ children }: { children: ReactNode }) {
  const s = useCurrentSession();
  const { t, i18n } = useTranslation();
  const location = useLocation();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const groups = menuFor(s.user.permissions);
  const selected = groups.flatMap((g) => g.entries).find((e) => location.pathname.startsWith(e.path));
  return (
    <Layout style={{ minHeight: '100%' }}>
      <Layout.Header className="wj-header">
        <span className="wj-brand">{t('app.full')}</span>
        <PhaseTag />
        <span style={{ flex: 1 }} />
        {can(s, 'dashboard:read') && isOrgScoped(location.pathname) ? <OrgPicker /> : null}
        <Segmented<UiLang>
          size="small"
          aria-label={t('top.language')}
          value={i18n.language.startsWith('en') ? 'en-US' : 'zh-CN'}
          options={[
            { label: '中文', value: 'zh-CN' },
            { label: 'EN', value: 'en-US' },
          ]}
          onChange={(v) => setLanguage(v)}
        />
        <Dropdown
          // A click, not a hover: the lobby tablet has no hover (UI.md "Devices").
          trigger={['click']}
          menu={{
            items: [{ key: 'signout', icon: <LogoutOutlined />, label: t('top.signOut') }],
            onClick: ({ key }) => {
              // The promise settles even if the frame unmounts first (a mutate() callback would not).
              if (key === 'signout')
                void signOut
                  .mutateAsync()
                  .catch(() => undefined)
                  .finally(() => navigate('/signin'));
            },
          }}
        >
          <Space style={{ color: '#fff', cursor: 'pointer' }} data-testid="user-menu">
            <UserOutlined />
            {s.user.username} · {t(`roles.${s.user.role}`)}
            <DownOutlined />
          </Space>
        </Dropdown>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={200} theme="light" className="wj-sider">
          <Menu
            mode="inline"
            selectedKeys={selected ? [selected.key] : []}
            items={groups.map((g) => {
              // A job with one page is one item (its group heading would only repeat it).
              const [only] = g.entries;
              if (g.entries.length === 1 && only)
                return { key: only.key, label: t(only.labelKey), onClick: () => navigate(only.path) };
              return {
                key: g.key,
                type: 'group' as const,
                label: t(g.labelKey),
                children: g.entries.map((e) => ({
                  key: e.key,
                  label: t(e.labelKey),
                  onClick: () => navigate(e.path),
                })),
              };
            })}
          />
        </Layout.Sider>
        <Layout.Content style={{ padding: 16, minWidth: 0 }}>{children}</Layout.Content>
      </Layout>
    </Layout>
  );
}
