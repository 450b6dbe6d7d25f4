// The browser session: the access token lives in this module's memory only (never in
// localStorage); the refresh token is an HttpOnly cookie the API sets for `X-Client:
// browser` and the scripts cannot read. Refresh and logout echo the readable CSRF cookie.

export const CLIENT_HEADERS = { "X-Client": "browser" } as const;
export const CSRF_COOKIE = "pifai_csrf";
const REFRESH_MARGIN_MS = 30_000;

let accessToken: string | null = null;
let expiresAt = 0;
let refreshing: Promise<boolean> | null = null;

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

export function csrfHeaders(): Record<string, string> {
  const token = readCookie(CSRF_COOKIE);
  return token ? { ...CLIENT_HEADERS, "X-CSRF-Token": token } : { ...CLIENT_HEADERS };
}

export function setSession(token: string, expiresInSeconds: number, now = Date.now()): void {
  accessToken = token;
  expiresAt = now + expiresInSeconds * 1000;
}

export function clearSession(): void {
  accessToken = null;
  expiresAt = 0;
}

export function currentToken(now = Date.now()): string | null {
  return accessToken && now < expiresAt - REFRESH_MARGIN_MS ? accessToken : null;
}

/** Whether a refresh could succeed: the console was signed in in this browser. */
export function hasSessionCookie(): boolean {
  return readCookie(CSRF_COOKIE) !== null;
}

interface TokenBody {
  access_token: string;
  expires_in: number;
}

/** One refresh at a time: concurrent callers share its outcome. */
export function refreshSession(fetcher: typeof fetch = fetch): Promise<boolean> {
  if (!hasSessionCookie()) return Promise.resolve(false);
  refreshing ??= (async () => {
    try {
      const response = await fetcher("/api/v1/auth/refresh", {
        method: "POST",
        headers: csrfHeaders(),
        credentials: "same-origin",
      });
      if (!response.ok) {
        clearSession();
        return false;
      }
      const body = (await response.json()) as TokenBody;
      setSession(body.access_token, body.expires_in);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** A valid access token, refreshed through the cookie when it is missing or about to end. */
export async function ensureToken(fetcher: typeof fetch = fetch): Promise<string | null> {
  const token = currentToken();
  if (token) return token;
  return (await refreshSession(fetcher)) ? currentToken() : null;
}
