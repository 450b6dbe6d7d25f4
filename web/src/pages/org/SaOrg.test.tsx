import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { AcceptInvitationPage } from "./AcceptInvitation";
import { grant, me, member, OWNER, stubApi } from "./fixtures";
import { OrgPage } from "./OrgPage";

const SA = "3f1c2a9e-0000-4000-8000-000000000009";
const assessor = member(SA, "sa", "林安全");
const TOKEN = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdl-invite";
const page = (items: unknown[]) => ({ items, total: items.length, limit: 20, offset: 0 });

beforeEach(async () => {
  await i18n.changeLanguage("zh-TW");
});
afterEach(() => vi.unstubAllGlobals());

describe("the assessor invitation link", () => {
  it("accepts the mailed code, and says so when the invitation is gone", async () => {
    let open = false;
    const calls = stubApi({
      "GET /api/v1/me": me(assessor),
      "GET /api/v1/sa/grants": [],
      "POST /api/v1/sa/invitations/accept": () =>
        open
          ? json(200, [{ ...grant("3f1c2a9e-0000-4000-8000-0000000000c1", "active"), accepted_at: "2026-12-02T08:00:00Z" }])
          : json(404, { error: { code: "invitation_not_found", message: "No open invitation" } }),
    });
    const user = userEvent.setup();
    renderScreen(<AcceptInvitationPage token={TOKEN} />);

    const code = await screen.findByLabelText("邀請碼");
    expect(code).toHaveValue(TOKEN);
    await user.click(screen.getByRole("button", { name: "接受邀請" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("沒有符合此邀請碼");

    open = true;
    await user.click(screen.getByRole("button", { name: "接受邀請" }));
    expect(await screen.findByText(/已接受邀請。您現在可以審查:玫瑰保濕乳液/)).toBeInTheDocument();
    const accepts = calls.filter((c) => c.path === "/api/v1/sa/invitations/accept");
    expect(accepts.map((c) => c.body)).toEqual([{ token: TOKEN }, { token: TOKEN }]);
  });

  it("tells an account that is not a Safety Assessor, without a form", async () => {
    stubApi({ "GET /api/v1/me": me(member(OWNER, "owner", "王店長")) });
    renderScreen(<AcceptInvitationPage token={TOKEN} />);
    expect(await screen.findByText(/只有安全評估人員帳號能接受評估邀請/)).toBeInTheDocument();
    expect(screen.queryByLabelText("邀請碼")).not.toBeInTheDocument();
  });
});

describe("the Safety Assessor's part of the organisation screen", () => {
  it("lists the grants held and records a first qualification", async () => {
    const calls = stubApi({
      "GET /api/v1/me": me(assessor),
      "GET /api/v1/org/members": page([assessor]),
      "GET /api/v1/sa/grants": [
        { ...grant("3f1c2a9e-0000-4000-8000-0000000000c1", "active", "他牌乳液"), accepted_at: "2026-12-01T09:00:00Z" },
      ],
      "GET /api/v1/sa/qualification": () =>
        json(403, { error: { code: "qualification_missing", message: "No qualification" } }),
      "PUT /api/v1/sa/qualification": (call) =>
        json(200, {
          ...(call.body as object),
          id: "3f1c2a9e-0000-4000-8000-0000000000d1",
          user_id: SA,
          status: "valid",
          certificate_file: null,
          created_at: "2026-12-02T08:00:00Z",
          updated_at: "2026-12-02T08:00:00Z",
        }),
    });
    const user = userEvent.setup();
    renderScreen(<OrgPage />);

    expect(await screen.findByText("他牌乳液")).toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "授權評估人員" })).not.toBeInTheDocument();
    expect(await screen.findByText(/尚未登錄資格/)).toBeInTheDocument();

    const form = screen.getByRole("form", { name: "資格" });
    await user.type(within(form).getByLabelText("證書字號"), "TFDA-SA-0042");
    await user.type(within(form).getByLabelText("核發機構"), "衛生福利部食品藥物管理署");
    await user.type(within(form).getByLabelText("生效日(選填)"), "2026-06-01");
    await user.type(within(form).getByLabelText("有效期限"), "2026-01-31");
    await user.click(within(form).getByRole("button", { name: "儲存資格" }));
    expect(await within(form).findByText("須在生效日當天或之後")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    await user.clear(within(form).getByLabelText("生效日(選填)"));
    await user.click(within(form).getByRole("button", { name: "儲存資格" }));
    expect(await screen.findByText("有效:您可以簽署 PIF。")).toBeInTheDocument();
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({
      certificate_reference: "TFDA-SA-0042",
      issuing_body: "衛生福利部食品藥物管理署",
      valid_from: null,
      valid_until: "2026-01-31",
    });
  });
});
