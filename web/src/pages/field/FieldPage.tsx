// 外拓 Field operations — being built (issue #8).
import { useTranslation } from 'react-i18next';
import { EmptyState, PageHead } from '../../components/PageState';

export function FieldPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="page-field">
      <PageHead title={t('field.title')} purpose={t('field.purpose')} />
      <EmptyState title={t('field.title')} />
    </div>
  );
}
