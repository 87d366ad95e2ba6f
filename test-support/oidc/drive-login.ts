/**
 * Walks oidc-provider's development login and consent pages with fetch, as a browser would
 * (cookies kept by hand, redirects followed one at a time), and stops at the app's redirect URI
 * without calling it, so a test can call it (or tamper with it) itself.
 */
export async function driveLogin(authorizationUrl: string, login: string, password = 'any-password'): Promise<URL> {
  const issuerOrigin = new URL(authorizationUrl).origin;
  const jar = new Map<string, string>();
  const cookieHeader = (): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (res: Response): void => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  };

  let next = new URL(authorizationUrl);
  let body: URLSearchParams | undefined;
  for (let hop = 0; hop < 20; hop++) {
    if (next.origin !== issuerOrigin) return next; // the redirect back to the app
    const res = await fetch(next, {
      method: body ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: cookieHeader(), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body } : {}),
    });
    remember(res);
    body = undefined;
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      await res.arrayBuffer();
      next = new URL(location, next);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`provider answered ${res.status} at ${next.pathname}: ${html.slice(0, 500)}`);
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`no login or consent form at ${next.pathname}: ${html.slice(0, 500)}`);
    next = new URL(action.replace(/&amp;/g, '&'), next);
    body = new URLSearchParams(prompt === 'login' ? { prompt, login, password } : { prompt });
  }
  throw new Error('too many redirects during sign-in');
}
