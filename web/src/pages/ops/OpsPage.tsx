// 运营 Operations — being built (issue #8).
import { useTranslation } from 'react-i18next';
import { EmptyState, PageHead } from '../../components/PageState';

export function OpsPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="page-ops">
      <PageHead title={t('ops.title')} purpose={t('ops.purpose')} />
      <EmptyState title={t('ops.title')} />
    </div>
  );
}
