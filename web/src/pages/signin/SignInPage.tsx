// Sign-in: username and password; a wrong password or throttling said in words (with the wait).
import { Alert, Button, Card, Form, Input, Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { useSession, useSignIn } from '../../api/hooks';
import { homePath } from '../../app/menu';
import { setLanguage, type UiLang } from '../../i18n';

export function signInError(e: unknown, t: (k: string, o?: Record<string, unknown>) => string): string {
  if (e instanceof ApiError) {
    if (e.status === 401) return t('signin.wrong');
    if (e.status === 429) return t('signin.throttled', { seconds: e.retryAfterSeconds ?? 60 });
    if (e.status === 0) return t('states.errorNetwork');
    return t('signin.failed', { message: e.message });
  }
  return t('signin.failed', { message: String(e) });
}

export function SignInPage() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const signIn = useSignIn();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = params.get('next');
  const target = (perms: string[]) =>
    next?.startsWith('/') && !next.startsWith('//') ? next : (homePath(perms) ?? '/');
  if (session.data) return <Navigate to={target(session.data.user.permissions)} replace />;
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f5f5f5' }}>
      <Card
        style={{ width: 380 }}
        title={t('signin.title')}
        extra={
          <Segmented<UiLang>
            size="small"
            value={i18n.language.startsWith('en') ? 'en-US' : 'zh-CN'}
            options={[
              { label: '中文', value: 'zh-CN' },
              { label: 'EN', value: 'en-US' },
            ]}
            onChange={(v) => setLanguage(v)}
          />
        }
      >
        <p style={{ color: '#595959', marginTop: 0 }}>{t('signin.purpose')}</p>
        {signIn.isError ? (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            message={signInError(signIn.error, t)}
            data-testid="signin-error"
          />
        ) : null}
        <Form
          layout="vertical"
          requiredMark={false}
          onFinish={(v: { username: string; password: string }) =>
            signIn.mutate(v, { onSuccess: (s) => navigate(target(s.user.permissions), { replace: true }) })
          }
        >
          <Form.Item
            name="username"
            label={t('signin.username')}
            rules={[{ required: true, message: t('signin.required', { field: t('signin.username') }) }]}
          >
            <Input autoComplete="username" autoFocus id="username" />
          </Form.Item>
          <Form.Item
            name="password"
            label={t('signin.password')}
            rules={[{ required: true, message: t('signin.required', { field: t('signin.password') }) }]}
          >
            <Input.Password autoComplete="current-password" id="password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={signIn.isPending}>
            {t('signin.submit')}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
