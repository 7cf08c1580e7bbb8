// 审计日志 Audit log — being built (issue #8).
import { useTranslation } from 'react-i18next';
import { EmptyState, PageHead } from '../../components/PageState';

export function AuditPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="page-audit">
      <PageHead title={t('audit.title')} purpose={t('audit.purpose')} />
      <EmptyState title={t('audit.title')} />
    </div>
  );
}
