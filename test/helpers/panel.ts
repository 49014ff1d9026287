import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/web/app.js';
import type { Services } from '../../src/services/index.js';
import { TEST_HOSTNAME } from './runtime.js';

export function buildTestApp(services: Services, dataDir: string): Promise<FastifyInstance> {
  return buildApp({ services, log: pino({ level: 'silent' }), hostname: TEST_HOSTNAME, dataDir });
}

/** A browser-like client over inject: keeps cookies and reads the CSRF token from the last page. */
export function panelClient(app: FastifyInstance) {
  const cookies = new Map<string, string>();
  let csrf = '';
  // inject hands cookie values back decoded; a browser returns them as set, encoded.
  const cookieHeader = () => [...cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ');
  const remember = (response: Awaited<ReturnType<FastifyInstance['inject']>>) => {
    for (const cookie of response.cookies) {
      if (cookie.value === '' || (cookie.expires && cookie.expires.getTime() < Date.now())) cookies.delete(cookie.name);
      else cookies.set(cookie.name, cookie.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (token) csrf = token[1]!;
    return response;
  };
  return {
    get: async (url: string) => remember(await app.inject({ method: 'GET', url, headers: { cookie: cookieHeader() } })),
    post: async (url: string, form: Record<string, string>, { withCsrf = true } = {}) =>
      remember(
        await app.inject({
          method: 'POST',
          url,
          headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams(withCsrf ? { _csrf: csrf, ...form } : form).toString(),
        }),
      ),
    async login(username: string, password: string) {
      await this.get('/login');
      return this.post('/login', { username, password });
    },
  };
}
