// 厅堂/柜面 Point of service — being built (issue #8).
import { useTranslation } from 'react-i18next';
import { EmptyState, PageHead } from '../../components/PageState';

export function PosPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="page-pos">
      <PageHead title={t('pos.title')} purpose={t('pos.purpose')} />
      <EmptyState title={t('pos.title')} />
    </div>
  );
}
