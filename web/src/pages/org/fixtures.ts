// Test data and a fetch stub for the organisation screen's tests.
import { vi } from "vitest";

import type { Grant, Member } from "@/api/org-queries";
import { json } from "@/test-utils";

export const ORG = "3f1c2a9e-0000-4000-8000-0000000000aa";
export const OWNER = "3f1c2a9e-0000-4000-8000-000000000001";
export const CHEMIST = "3f1c2a9e-0000-4000-8000-000000000002";
export const INVITEE = "3f1c2a9e-0000-4000-8000-000000000003";
export const PRODUCT_A = "3f1c2a9e-0000-4000-8000-0000000000b1";
export const PRODUCT_B = "3f1c2a9e-0000-4000-8000-0000000000b2";

export function member(
  id: string,
  role: Member["role"],
  full_name: string,
  status: Member["status"] = "active",
): Member {
  return {
    id,
    org_id: ORG,
    email: `${id.slice(-3)}@example.com`,
    full_name,
    role,
    locale: "zh-TW",
    is_active: status === "active",
    email_verified_at: status === "invited" ? null : "2026-12-01T08:00:00Z",
    totp_enabled: false,
    created_at: "2026-12-01T08:00:00Z",
    status,
  };
}

export function me(user: Member) {
  return {
    user,
    organization: { id: ORG, name: "美妝品牌", type: "brand", plan: "free", created_at: "2026-12-01T08:00:00Z" },
  };
}

export function grant(id: string, status: Grant["status"], productName = "玫瑰保濕乳液"): Grant {
  return {
    id,
    org_id: ORG,
    product_id: PRODUCT_A,
    product_name: productName,
    email: "assessor@consult.example",
    status,
    assessor_user_id: null,
    expires_at: null,
    accepted_at: null,
    revoked_at: status === "revoked" ? "2026-12-02T08:00:00Z" : null,
    created_at: "2026-12-01T08:00:00Z",
  };
}

export function product(id: string, name: string) {
  return {
    id,
    org_id: ORG,
    name,
    name_en: null,
    brand: null,
    product_type: "lotion",
    status: "draft",
    created_at: "2026-12-01T08:00:00Z",
    updated_at: "2026-12-01T08:00:00Z",
  };
}

export interface Call {
  method: string;
  path: string;
  body: unknown;
}

type Handler = (call: Call) => Response | undefined;

/** fetch answering by `METHOD /path` from `routes` (a function for a changing answer);
 * every call is recorded, an unknown one is a 404. */
export function stubApi(routes: Record<string, Handler | object>): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>(async (input) => {
      const request = input as Request;
      const path = new URL(request.url).pathname;
      const text = request.method === "GET" ? "" : await request.text();
      const call = { method: request.method, path, body: text ? JSON.parse(text) : null };
      calls.push(call);
      const route = routes[`${request.method} ${path}`];
      if (typeof route === "function") return (route as Handler)(call) ?? json(404, {});
      if (route === undefined) {
        return json(404, { error: { code: "not_found", message: `no stub for ${path}` } });
      }
      return json(request.method === "POST" ? 201 : 200, route);
    }),
  );
  return calls;
}
