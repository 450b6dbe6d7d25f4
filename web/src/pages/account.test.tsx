import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen as renderAt } from "@/test-utils";

import { SetPasswordPage, VerifyEmailPage } from "./Passwords";
import { RegisterPage } from "./Register";

async function sentBody(call: unknown[]): Promise<unknown> {
  return (call[0] as Request).clone().json();
}

describe("the account screens", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(async () => {
    fetchMock.mockReset();
    vi.stubGlobal("fetch", fetchMock);
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("registers an organisation in the console's language", async () => {
    fetchMock.mockResolvedValueOnce(json(202, { status: "verification_sent", message: "..." }));
    const user = userEvent.setup();
    renderAt(<RegisterPage />);

    await user.type(await screen.findByLabelText("組織名稱"), "美妝品牌股份有限公司");
    await user.selectOptions(screen.getByLabelText("組織類型"), "importer");
    await user.type(screen.getByLabelText("您的姓名"), "王小明");
    await user.type(screen.getByLabelText("電子郵件"), "owner@example.com");
    await user.type(screen.getByLabelText("密碼"), "short");
    await user.click(screen.getByRole("button", { name: "建立帳號" }));
    expect(await screen.findByText("密碼至少需 10 個字元")).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText("密碼"), " enough now");
    await user.click(screen.getByRole("button", { name: "建立帳號" }));
    expect(await screen.findByRole("status")).toHaveTextContent("驗證連結已寄出");
    expect(await sentBody(fetchMock.mock.calls[0]!)).toEqual({
      email: "owner@example.com",
      password: "short enough now",
      full_name: "王小明",
      organization_name: "美妝品牌股份有限公司",
      organization_type: "importer",
      locale: "zh-TW",
    });
  });

  it("shows the server's reason for a weak password", async () => {
    fetchMock.mockResolvedValueOnce(
      json(400, {
        error: { code: "weak_password", message: "This is a very common password.", details: {} },
      }),
    );
    const user = userEvent.setup();
    renderAt(<SetPasswordPage purpose="reset" token="org.secret-token-value" />);
    await user.type(await screen.findByLabelText("新密碼"), "password123");
    await user.type(screen.getByLabelText("再次輸入新密碼"), "password123");
    await user.click(screen.getByRole("button", { name: "設定密碼" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "密碼強度不足：This is a very common password.",
    );
    const request = fetchMock.mock.calls[0]![0] as Request;
    expect(new URL(request.url).pathname).toBe("/api/v1/auth/reset-password");
    expect(await sentBody(fetchMock.mock.calls[0]!)).toEqual({
      token: "org.secret-token-value",
      new_password: "password123",
    });
  });

  it("refuses two different passwords before asking the server", async () => {
    const user = userEvent.setup();
    renderAt(<SetPasswordPage purpose="invite" token="org.secret-token-value" />);
    expect(await screen.findByRole("heading", { name: "接受邀請" })).toBeInTheDocument();
    await user.type(screen.getByLabelText("新密碼"), "a long passphrase");
    await user.type(screen.getByLabelText("再次輸入新密碼"), "another passphrase");
    await user.click(screen.getByRole("button", { name: "設定密碼" }));
    expect(await screen.findByText("兩次輸入的密碼不同")).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("verifies an e-mail once, and says when the link is spent", async () => {
    fetchMock.mockResolvedValueOnce(
      json(400, { error: { code: "invalid_token", message: "expired", details: null } }),
    );
    renderAt(<VerifyEmailPage token="org.spent-token-value" />);
    expect(await screen.findByRole("alert")).toHaveTextContent("此連結無效或已過期。");
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
