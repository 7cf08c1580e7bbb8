// 县域 County — being built (issue #8).
import { useTranslation } from 'react-i18next';
import { EmptyState, PageHead } from '../../components/PageState';

export function CountyPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="page-county">
      <PageHead title={t('county.title')} purpose={t('county.purpose')} />
      <EmptyState title={t('county.title')} />
    </div>
  );
}
