import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import {
  CHEMIST,
  grant,
  INVITEE,
  me,
  member,
  OWNER,
  product,
  PRODUCT_A,
  PRODUCT_B,
  stubApi,
} from "./fixtures";
import { OrgPage } from "./OrgPage";

const owner = member(OWNER, "owner", "王店長");
const chemist = member(CHEMIST, "member", "陳化學");
const invitee = member(INVITEE, "admin", "", "invited");
const page = (items: unknown[]) => ({ items, total: items.length, limit: 20, offset: 0 });

beforeEach(async () => {
  await i18n.changeLanguage("zh-TW");
});
afterEach(() => vi.unstubAllGlobals());

describe("organisation members", () => {
  it("validates the invitation, then shows the API's duplicate refusal", async () => {
    const calls = stubApi({
      "GET /api/v1/me": me(owner),
      "GET /api/v1/org/members": page([owner, chemist]),
      "GET /api/v1/assessor-grants": page([]),
      "GET /api/v1/products": page([]),
      "POST /api/v1/org/members": () =>
        json(409, {
          error: { code: "email_taken", message: "An account with this e-mail already exists." },
        }),
    });
    const user = userEvent.setup();
    renderScreen(<OrgPage />);

    const form = await screen.findByRole("form", { name: "邀請成員" });
    await user.type(within(form).getByLabelText("電子郵件"), "not-an-address");
    await user.click(within(form).getByRole("button", { name: "寄送邀請" }));
    expect(await within(form).findByText("請輸入有效的電子郵件地址")).toBeInTheDocument();
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await user.clear(within(form).getByLabelText("電子郵件"));
    await user.type(within(form).getByLabelText("電子郵件"), "chen@example.com");
    await user.selectOptions(within(form).getByLabelText("角色"), "sa");
    await user.click(within(form).getByRole("button", { name: "寄送邀請" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent("此電子郵件已有帳號。");
    const post = calls.find((c) => c.method === "POST" && c.path === "/api/v1/org/members");
    expect(post?.body).toEqual({
      email: "chen@example.com",
      full_name: "",
      role: "sa",
      locale: "zh-TW",
    });
  });

  it("sends the role change as a PATCH and shows pending invitations as such", async () => {
    let current = chemist;
    const calls = stubApi({
      "GET /api/v1/me": me(owner),
      "GET /api/v1/org/members": () => json(200, page([owner, current, invitee])),
      "GET /api/v1/assessor-grants": page([]),
      "GET /api/v1/products": page([]),
      [`POST /api/v1/org/members/${INVITEE}/resend-invitation`]: () => json(200, invitee),
      [`PATCH /api/v1/org/members/${CHEMIST}`]: (call) => {
        current = { ...chemist, ...(call.body as object) };
        return json(200, current);
      },
    });
    const user = userEvent.setup();
    renderScreen(<OrgPage />);

    const row = await screen.findByTestId(`member-${INVITEE}`);
    expect(within(row).getByText("邀請待接受")).toBeInTheDocument();
    expect(within(row).getByRole("button", { name: /撤回邀請/ })).toBeInTheDocument();
    await user.click(within(row).getByRole("button", { name: /重寄邀請/ }));
    expect(await within(row).findByText("已寄出新的邀請連結。")).toBeInTheDocument();
    expect(calls.filter((c) => c.path.endsWith("/resend-invitation"))).toHaveLength(1);
    // Nobody changes their own row here.
    expect(
      within(screen.getByTestId(`member-${OWNER}`)).queryByRole("combobox"),
    ).not.toBeInTheDocument();

    const select = screen.getByLabelText("陳化學 的角色");
    const apply = within(screen.getByTestId(`member-${CHEMIST}`)).getByRole("button", {
      name: "變更角色",
    });
    expect(apply).toBeDisabled();
    await user.selectOptions(select, "sa");
    await user.click(apply);
    await vi.waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    const patch = calls.find((c) => c.method === "PATCH");
    expect(patch).toEqual({
      method: "PATCH",
      path: `/api/v1/org/members/${CHEMIST}`,
      body: { role: "sa" },
    });
    await vi.waitFor(() => expect(screen.getByLabelText("陳化學 的角色")).toHaveValue("sa"));
    expect(
      await within(screen.getByTestId(`member-${CHEMIST}`)).findByText("已儲存。"),
    ).toBeInTheDocument();
  });

  it("is read-only for a plain member", async () => {
    const calls = stubApi({
      "GET /api/v1/me": me(chemist),
      "GET /api/v1/org/members": page([owner, chemist, invitee]),
    });
    renderScreen(<OrgPage />);

    expect(await screen.findByTestId(`member-${OWNER}`)).toHaveTextContent("擁有者");
    expect(screen.getByText("只有擁有者與管理員可以邀請成員或變更角色。")).toBeInTheDocument();
    expect(screen.queryByRole("combobox")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /停用|撤回邀請|變更角色/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("form", { name: "邀請成員" })).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "帳號安全(兩步驟驗證)" })).toBeInTheDocument();
    // The grants are the managers' (the API refuses a member): not even asked for.
    expect(calls.some((c) => c.path === "/api/v1/assessor-grants")).toBe(false);
  });

  it("shows the load error with a retry", async () => {
    stubApi({
      "GET /api/v1/me": me(owner),
      "GET /api/v1/org/members": () =>
        json(500, { error: { code: "internal", message: "Database unavailable" } }),
      "GET /api/v1/assessor-grants": page([]),
      "GET /api/v1/products": page([]),
    });
    renderScreen(<OrgPage />);
    expect(await screen.findByText(/Database unavailable/)).toBeInTheDocument();
    expect(screen.getAllByRole("button", { name: "重試" }).length).toBeGreaterThan(0);
  });
});

describe("external assessor grants", () => {
  it("grants chosen products, then revokes a grant after confirming", async () => {
    let grants = [grant("3f1c2a9e-0000-4000-8000-0000000000c1", "active")];
    const calls = stubApi({
      "GET /api/v1/me": me(owner),
      "GET /api/v1/org/members": page([owner]),
      "GET /api/v1/assessor-grants": () => json(200, page(grants)),
      "GET /api/v1/products": page([product(PRODUCT_A, "玫瑰保濕乳液"), product(PRODUCT_B, "防曬乳")]),
      "POST /api/v1/assessor-grants": (call) => {
        const made = { ...grant("3f1c2a9e-0000-4000-8000-0000000000c2", "invited", "防曬乳") };
        made.email = (call.body as { email: string }).email;
        grants = [made, ...grants];
        return json(201, [made]);
      },
      "DELETE /api/v1/assessor-grants/3f1c2a9e-0000-4000-8000-0000000000c1": () => {
        grants = grants.map((g) => (g.id.endsWith("c1") ? { ...g, status: "revoked" as const } : g));
        return json(200, grants.find((g) => g.id.endsWith("c1")));
      },
    });
    const user = userEvent.setup();
    renderScreen(<OrgPage />);

    const form = await screen.findByRole("form", { name: "授權評估人員" });
    await user.type(within(form).getByLabelText("評估人員的電子郵件"), "sa@consult.example");
    await user.click(within(form).getByLabelText("指定產品"));
    await user.click(within(form).getByRole("button", { name: "寄送邀請" }));
    expect(await within(form).findByText("請至少選擇一項產品")).toBeInTheDocument();
    await user.click(within(form).getByLabelText("防曬乳"));
    await user.click(within(form).getByRole("button", { name: "寄送邀請" }));
    expect(await within(form).findByText(/已寄送邀請給 sa@consult.example/)).toBeInTheDocument();
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      email: "sa@consult.example",
      product_ids: [PRODUCT_B],
    });
    expect(await screen.findByText("已邀請")).toBeInTheDocument();

    const row = screen.getByTestId("grant-3f1c2a9e-0000-4000-8000-0000000000c1");
    await user.click(within(row).getByRole("button", { name: /撤銷/ }));
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    const confirm = within(row).getByRole("group", { name: "確認撤銷" });
    expect(confirm).toHaveTextContent("assessor@consult.example");
    await user.click(within(confirm).getByRole("button", { name: "確定撤銷" }));
    await vi.waitFor(() => expect(within(row).getByText("已撤銷")).toBeInTheDocument());
    expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(1);
  });

  it("grants all products at once, and cancelling a revoke sends nothing", async () => {
    const calls = stubApi({
      "GET /api/v1/me": me(owner),
      "GET /api/v1/org/members": page([owner]),
      "GET /api/v1/assessor-grants": page([grant("3f1c2a9e-0000-4000-8000-0000000000c1", "invited")]),
      "GET /api/v1/products": page([product(PRODUCT_A, "玫瑰保濕乳液"), product(PRODUCT_B, "防曬乳")]),
      "POST /api/v1/assessor-grants": () =>
        json(409, { error: { code: "grant_exists", message: "already", details: {} } }),
    });
    const user = userEvent.setup();
    renderScreen(<OrgPage />);

    const form = await screen.findByRole("form", { name: "授權評估人員" });
    expect(await within(form).findByLabelText("全部產品(2 項)")).toBeChecked();
    await user.type(within(form).getByLabelText("評估人員的電子郵件"), "assessor@consult.example");
    await user.click(within(form).getByRole("button", { name: "寄送邀請" }));
    expect(await within(form).findByRole("alert")).toHaveTextContent(
      "此電子郵件已持有或已受邀審查其中某項產品。",
    );
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      email: "assessor@consult.example",
      product_ids: [PRODUCT_A, PRODUCT_B],
    });

    await user.click(screen.getByRole("button", { name: /^撤銷/ }));
    await user.click(screen.getByRole("button", { name: "取消" }));
    expect(screen.getByRole("button", { name: /^撤銷/ })).toHaveFocus();
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
  });
});
