// The states every page shows (UI.md "States"): a skeleton while loading, an error in words with a
// retry, an empty state that says why and what to do.
import { Button, Empty, Result, Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

export function LoadingState({ rows = 6 }: { rows?: number }) {
  return <Skeleton active paragraph={{ rows }} data-testid="loading" />;
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message =
    error instanceof ApiError
      ? error.status === 0
        ? t('states.errorNetwork')
        : `${error.message} (${error.code})`
      : String((error as Error)?.message ?? error);
  return (
    <Result
      status="error"
      title={t('states.errorTitle')}
      subTitle={message}
      extra={onRetry ? <Button onClick={onRetry}>{t('states.retry')}</Button> : undefined}
    />
  );
}

export function EmptyState({ title, hint }: { title: string; hint?: string }) {
  return (
    <Empty
      description={
        <span>
          <strong>{title}</strong>
          {hint ? <div style={{ color: '#8c8c8c' }}>{hint}</div> : null}
        </span>
      }
    />
  );
}

export function PageHead({ title, purpose }: { title: string; purpose: string }) {
  return (
    <div className="wj-page-head">
      <h4>{title}</h4>
      <div style={{ color: '#595959' }}>{purpose}</div>
    </div>
  );
}
