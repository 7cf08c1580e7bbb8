import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Navigate } from 'react-router';
import { homePath } from '../app/menu';
import { useCurrentSession } from '../app/session';

/** `/`: the first page the role may open. */
export function HomePage() {
  const s = useCurrentSession();
  const { t } = useTranslation();
  const home = homePath(s.user.permissions);
  if (home) return <Navigate to={home} replace />;
  return <Result status="info" title={t('states.noPages')} />;
}

export function NotFoundPage({ forbidden = false }: { forbidden?: boolean }) {
  const { t } = useTranslation();
  return (
    <Result
      status={forbidden ? '403' : '404'}
      title={forbidden ? t('states.forbidden') : t('states.notFound')}
      extra={
        <Link to="/">
          <Button>{t('states.back')}</Button>
        </Link>
      }
    />
  );
}
