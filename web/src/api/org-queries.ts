// The organisation screen's reads and writes: members, outside-assessor grants, and the
// Safety Assessor's own grants and qualification.
import { queryOptions } from "@tanstack/react-query";

import { api, type Schemas } from "./client";
import { toApiError, unwrap } from "./errors";

export type Member = Schemas["MemberOut"];
export type Role = Member["role"];
export type Grant = Schemas["GrantOut"];
export type InviteBody = Schemas["InviteRequest"];
export type MemberChange = Schemas["MemberUpdate"];
export type QualificationBody = Schemas["QualificationIn"];

export const ROLES = ["owner", "admin", "member", "sa"] as const satisfies readonly Role[];
export const ORG_PAGE_SIZE = 20;

export function membersQuery(offset = 0) {
  return queryOptions({
    queryKey: ["org-members", offset],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/org/members", {
          params: { query: { limit: ORG_PAGE_SIZE, offset } },
        }),
      ),
    placeholderData: (previous) => previous,
  });
}

export function grantsQuery(offset = 0) {
  return queryOptions({
    queryKey: ["org-grants", offset],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/assessor-grants", {
          params: { query: { limit: ORG_PAGE_SIZE, offset } },
        }),
      ),
    placeholderData: (previous) => previous,
  });
}

export const myGrantsQuery = queryOptions({
  queryKey: ["sa-grants"],
  queryFn: async () => unwrap(await api.GET("/api/v1/sa/grants")),
});

/** The SA's qualification; `null` when none is recorded yet (403 `qualification_missing`). */
export const qualificationQuery = queryOptions({
  queryKey: ["sa-qualification"],
  queryFn: async () => {
    const result = await api.GET("/api/v1/sa/qualification");
    if (result.response.status === 403) {
      const error = toApiError(403, result.error);
      if (error.code === "qualification_missing") return null;
      throw error;
    }
    return unwrap(result);
  },
});

export async function inviteMember(body: InviteBody): Promise<Member> {
  return unwrap(await api.POST("/api/v1/org/members", { body }));
}

export async function updateMember(userId: string, body: MemberChange): Promise<Member> {
  return unwrap(
    await api.PATCH("/api/v1/org/members/{user_id}", {
      params: { path: { user_id: userId } },
      body,
    }),
  );
}

/** A new invitation link for a member still `invited` (the old link stops working). */
export async function resendInvitation(userId: string): Promise<Member> {
  return unwrap(
    await api.POST("/api/v1/org/members/{user_id}/resend-invitation", {
      params: { path: { user_id: userId } },
    }),
  );
}

export async function grantAssessor(email: string, productIds: string[]): Promise<Grant[]> {
  return unwrap(
    await api.POST("/api/v1/assessor-grants", { body: { email, product_ids: productIds } }),
  );
}

export async function revokeGrant(grantId: string): Promise<Grant> {
  return unwrap(
    await api.DELETE("/api/v1/assessor-grants/{grant_id}", {
      params: { path: { grant_id: grantId } },
    }),
  );
}

export async function acceptInvitation(token: string): Promise<Grant[]> {
  return unwrap(await api.POST("/api/v1/sa/invitations/accept", { body: { token } }));
}

export async function saveQualification(body: QualificationBody) {
  return unwrap(await api.PUT("/api/v1/sa/qualification", { body }));
}

export async function uploadCertificate(file: File) {
  const form = new FormData();
  form.append("file", file);
  const result = await api.POST("/api/v1/sa/qualification/certificate", {
    // Multipart: openapi-fetch passes FormData through, the browser sets the boundary.
    body: form as unknown as { file: string },
  });
  return unwrap(result);
}

/** The certificate file as uploaded, fetched with the session's token and saved. */
export async function downloadCertificate(filename: string): Promise<void> {
  const result = await api.GET("/api/v1/sa/qualification/certificate", { parseAs: "blob" });
  if (!result.response.ok || !result.data) {
    throw toApiError(result.response.status, result.error);
  }
  const url = URL.createObjectURL(result.data);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
