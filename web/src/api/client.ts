import createClient, { type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema.gen";
import { ensureToken } from "./session";

export type Schemas = components["schemas"];

let onUnauthorized: () => void = () => {};

/** What to do when the API refuses the session (the router sends the user to sign in). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

// Calls made before signing in: no token is sent, and a 401 there is not a lost session.
const PUBLIC_PATHS = [
  "login",
  "refresh",
  "register",
  "forgot-password",
  "reset-password",
  "accept-invite",
  "verify-email",
].map((action) => `/api/v1/auth/${action}`);

// A wrong or missing two-factor code (saving or signing a review) is a 401 too, but the
// session is still good: the screen shows the message instead of signing the user out.
async function isTotpRefusal(response: Response): Promise<boolean> {
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { error?: { code?: unknown } } | null;
  const code = body?.error?.code;
  return code === "totp_invalid" || code === "totp_required";
}

const auth: Middleware = {
  async onRequest({ request }) {
    if (PUBLIC_PATHS.some((path) => new URL(request.url).pathname === path)) return request;
    const token = await ensureToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  async onResponse({ request, response }) {
    const path = new URL(request.url).pathname;
    if (response.status === 401 && !PUBLIC_PATHS.includes(path) && !(await isTotpRefusal(response))) {
      onUnauthorized();
    }
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  fetch: (request) => globalThis.fetch(request), // looked up per call (tests stub it)
});
api.use(auth);
