// The org scope the user is looking at (UI.md "Frame": the top bar's tree picker limited to their
// subtree). It lives in the URL (`?org=ID`), so a page can be bookmarked and the back button works;
// without it, the user's own org. Every page that shows figures of an org reads it from here, and the
// top bar's picker writes it. The server still decides what the user may see (an org outside the
// scope answers 404).
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';
import { useCurrentSession } from './session';

export interface ScopeOrg {
  /** The org in view: `?org=` or the user's own org. */
  orgId: string;
  /** Whether the user is looking at their own org (no `?org=`). */
  own: boolean;
  /** Look at another org (the other search parameters of the page are kept unless `replace`). */
  setOrgId(id: string, o?: { replace?: boolean }): void;
}

export function useScopeOrg(): ScopeOrg {
  const s = useCurrentSession();
  const [params, setParams] = useSearchParams();
  const fromUrl = params.get('org');
  const setOrgId = useCallback(
    (id: string, o?: { replace?: boolean }) =>
      setParams((prev) => {
        const next = o?.replace ? new URLSearchParams() : new URLSearchParams(prev);
        next.delete('trail');
        if (id === s.user.orgId) next.delete('org');
        else next.set('org', id);
        return next;
      }),
    [setParams, s.user.orgId],
  );
  return { orgId: fromUrl ?? s.user.orgId, own: fromUrl === null, setOrgId };
}
