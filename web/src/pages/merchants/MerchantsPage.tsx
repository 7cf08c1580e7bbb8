// 商户 Merchants — being built (issue #8).
import { useTranslation } from 'react-i18next';
import { EmptyState, PageHead } from '../../components/PageState';

export function MerchantsPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="page-merchants">
      <PageHead title={t('merchants.title')} purpose={t('merchants.purpose')} />
      <EmptyState title={t('merchants.title')} />
    </div>
  );
}
