// Providers (TanStack Query, antd with the UI's locale) and the routes. A 401 from any request drops the
// session: the guard then sends the user back to the sign-in page.
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import { ApiError, onSessionLost, setCsrfToken } from '../api/client';
import { markSignedIn, useSession } from '../api/hooks';
import { ErrorState, LoadingState } from '../components/PageState';
import { HomePage, NotFoundPage } from '../pages/misc';
import { SignInPage } from '../pages/signin/SignInPage';
import { Frame } from './Frame';
import { permissionOf } from './menu';
import { SessionContext } from './session';

// Each page is its own chunk, fetched when first opened: the sign-in page loads neither ECharts nor
// the pages' code, so it is interactive sooner.
const AuditPage = lazy(() => import('../pages/audit/AuditPage').then((m) => ({ default: m.AuditPage })));
const BriefingPage = lazy(() =>
  import('../pages/briefing/BriefingPage').then((m) => ({ default: m.BriefingPage })),
);
const CountyPage = lazy(() => import('../pages/county/CountyPage').then((m) => ({ default: m.CountyPage })));
const DashboardPage = lazy(() =>
  import('../pages/dashboard/DashboardPage').then((m) => ({ default: m.DashboardPage })),
);
const FieldPage = lazy(() => import('../pages/field/FieldPage').then((m) => ({ default: m.FieldPage })));
const MerchantsPage = lazy(() =>
  import('../pages/merchants/MerchantsPage').then((m) => ({ default: m.MerchantsPage })),
);
const OpsPage = lazy(() => import('../pages/ops/OpsPage').then((m) => ({ default: m.OpsPage })));
const PayrollPage = lazy(() =>
  import('../pages/payroll/PayrollPage').then((m) => ({ default: m.PayrollPage })),
);
const PosPage = lazy(() => import('../pages/pos/PosPage').then((m) => ({ default: m.PosPage })));
const SegmentsPage = lazy(() =>
  import('../pages/segments/SegmentsPage').then((m) => ({ default: m.SegmentsPage })),
);
const TargetsPage = lazy(() =>
  import('../pages/targets/TargetsPage').then((m) => ({ default: m.TargetsPage })),
);
const TasksPage = lazy(() => import('../pages/tasks/TasksPage').then((m) => ({ default: m.TasksPage })));

const retry = (count: number, e: unknown) =>
  !(e instanceof ApiError && e.status >= 400 && e.status < 500) && count < 2;

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry, staleTime: 30_000, refetchOnWindowFocus: false } },
  queryCache: new QueryCache(),
  mutationCache: new MutationCache(),
});

onSessionLost(() => {
  setCsrfToken(null);
  markSignedIn(false);
  queryClient.setQueryData(['session'], null);
});

function SignedIn() {
  const session = useSession();
  const location = useLocation();
  if (session.isPending)
    return (
      <div style={{ display: 'grid', placeItems: 'center', height: '100%' }}>
        <Spin size="large" />
      </div>
    );
  if (session.isError) return <ErrorState error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/signin${next === '/' ? '' : `?next=${encodeURIComponent(next)}`}`} replace />;
  }
  const needed = permissionOf(location.pathname);
  return (
    <SessionContext.Provider value={session.data}>
      <Frame>
        {needed && !session.data.user.permissions.includes(needed) ? (
          <NotFoundPage forbidden />
        ) : (
          <Suspense fallback={<LoadingState rows={8} />}>
            <Outlet />
          </Suspense>
        )}
      </Frame>
    </SessionContext.Provider>
  );
}

export function App() {
  const { i18n } = useTranslation();
  useEffect(() => {
    document.title = i18n.language.startsWith('en') ? 'Wangji' : '旺季';
  }, [i18n.language]);
  return (
    <QueryClientProvider client={queryClient}>
      <ConfigProvider
        locale={i18n.language.startsWith('en') ? enUS : zhCN}
        theme={{ token: { colorPrimary: '#c41d1d', borderRadius: 4 } }}
        componentSize="middle"
        button={{ autoInsertSpace: false }}
      >
        <AntApp>
          <BrowserRouter>
            <Routes>
              <Route path="/signin" element={<SignInPage />} />
              <Route element={<SignedIn />}>
                <Route index element={<HomePage />} />
                <Route path="dashboard" element={<DashboardPage />} />
                <Route path="tasks" element={<TasksPage />} />
                <Route path="pos/*" element={<PosPage />} />
                <Route path="briefing/*" element={<BriefingPage />} />
                <Route path="payroll/*" element={<PayrollPage />} />
                <Route path="segments/*" element={<SegmentsPage />} />
                <Route path="merchants/*" element={<MerchantsPage />} />
                <Route path="county/*" element={<CountyPage />} />
                <Route path="field/*" element={<FieldPage />} />
                <Route path="targets/*" element={<TargetsPage />} />
                <Route path="ops/*" element={<OpsPage />} />
                <Route path="audit/*" element={<AuditPage />} />
                <Route path="*" element={<NotFoundPage />} />
              </Route>
            </Routes>
          </BrowserRouter>
        </AntApp>
      </ConfigProvider>
    </QueryClientProvider>
  );
}
