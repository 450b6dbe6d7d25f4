import { api } from "@/api/client";
import { unwrap } from "@/api/errors";
import { clearSession, CLIENT_HEADERS, csrfHeaders, setSession } from "@/api/session";

export interface Credentials {
  email: string;
  password: string;
  totpCode?: string;
}

/** Logs in as a browser client: the refresh token stays in its HttpOnly cookie. Throws
 * ApiError; `totp_required` asks for the second step. */
export async function signIn({ email, password, totpCode }: Credentials): Promise<void> {
  const tokens = unwrap(
    await api.POST("/api/v1/auth/login", {
      params: { header: { "x-client": CLIENT_HEADERS["X-Client"] } },
      body: { email, password, totp_code: totpCode || null },
    }),
  );
  setSession(tokens.access_token, tokens.expires_in);
}

export async function signOut(): Promise<void> {
  try {
    await api.POST("/api/v1/auth/logout", { headers: csrfHeaders() });
  } finally {
    clearSession(); // signed out here whatever the server said
  }
}

export async function fetchMe() {
  return unwrap(await api.GET("/api/v1/me"));
}
