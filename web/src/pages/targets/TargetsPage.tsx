// 指标 Targets — being built (issue #8).
import { useTranslation } from 'react-i18next';
import { EmptyState, PageHead } from '../../components/PageState';

export function TargetsPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="page-targets">
      <PageHead title={t('targets.title')} purpose={t('targets.purpose')} />
      <EmptyState title={t('targets.title')} />
    </div>
  );
}
