// 周通报 Weekly briefing — being built (issue #8).
import { useTranslation } from 'react-i18next';
import { EmptyState, PageHead } from '../../components/PageState';

export function BriefingPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="page-briefing">
      <PageHead title={t('briefing.title')} purpose={t('briefing.purpose')} />
      <EmptyState title={t('briefing.title')} />
    </div>
  );
}
