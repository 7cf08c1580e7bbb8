// 代发监测 Payroll monitoring — being built (issue #8).
import { useTranslation } from 'react-i18next';
import { EmptyState, PageHead } from '../../components/PageState';

export function PayrollPage() {
  const { t } = useTranslation();
  return (
    <div data-testid="page-payroll">
      <PageHead title={t('payroll.title')} purpose={t('payroll.purpose')} />
      <EmptyState title={t('payroll.title')} />
    </div>
  );
}
