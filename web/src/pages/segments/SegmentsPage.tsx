// 客群 Segments — being built (issue #8).
import { useTranslation } from 'react-i18next';
import { EmptyState, PageHead } from '../../components/PageState';

export function SegmentsPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="page-segments">
      <PageHead title={t('segmentsPage.title')} purpose={t('segmentsPage.purpose')} />
      <EmptyState title={t('segmentsPage.title')} />
    </div>
  );
}
