// The top bar's org picker (UI.md "Frame"): a searchable tree of the orgs in the user's scope; picking
// one sets `?org=` on the page in view (app/orgScope.ts). Shown on pages that show an org's figures,
// to roles that can see more than one org.
import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useOrgs } from '../api/hooks';
import { useScopeOrg } from './orgScope';
import { buildOrgTree } from './orgTree';

export function OrgPicker() {
  const { t } = useTranslation();
  const q = useOrgs();
  const { orgId, setOrgId } = useScopeOrg();
  const tree = useMemo(() => buildOrgTree(q.data?.orgs ?? []), [q.data]);
  if (!q.data || q.data.orgs.length < 2) return null;
  return (
    <TreeSelect
      data-testid="org-picker"
      aria-label={t('top.org')}
      style={{ width: 210 }}
      value={orgId}
      treeData={tree}
      treeDefaultExpandedKeys={[q.data.root]}
      showSearch
      treeNodeFilterProp="title"
      popupMatchSelectWidth={320}
      listHeight={420}
      placeholder={t('top.org')}
      onChange={(v: string) => setOrgId(v)}
    />
  );
}
