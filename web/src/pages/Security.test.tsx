import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { SecurityPage } from "./Security";

function me(totpEnabled: boolean) {
  return {
    user: {
      id: "3f1c2a9e-0000-4000-8000-000000000002",
      org_id: "3f1c2a9e-0000-4000-8000-0000000000aa",
      email: "sa@example.com",
      full_name: "林安全",
      role: "sa",
      locale: "zh-TW",
      is_active: true,
      email_verified_at: null,
      totp_enabled: totpEnabled,
      created_at: "2026-12-01T08:00:00Z",
    },
    organization: {
      id: "3f1c2a9e-0000-4000-8000-0000000000aa",
      name: "顧問公司",
      type: "consultant",
      plan: "free",
      created_at: "2026-12-01T08:00:00Z",
    },
  };
}

describe("two-factor authentication setup", () => {
  const calls: { path: string; body: unknown }[] = [];
  beforeEach(async () => {
    calls.length = 0;
    await i18n.changeLanguage("zh-TW");
    let enabled = false;
    vi.stubGlobal(
      "fetch",
      vi.fn<typeof fetch>(async (input) => {
        const request = input as Request;
        const path = new URL(request.url).pathname;
        calls.push({ path, body: request.method === "POST" ? await request.text() : null });
        if (path === "/api/v1/me") return json(200, me(enabled));
        if (path === "/api/v1/auth/setup-2fa") {
          return json(200, {
            secret: "JBSWY3DPEHPK3PXP",
            otpauth_uri: "otpauth://totp/PIF%20AI:sa%40example.com?secret=JBSWY3DPEHPK3PXP",
          });
        }
        enabled = true;
        return json(200, { status: "ok", message: "Two-factor authentication enabled." });
      }),
    );
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows the QR code and the key, then turns 2FA on with a code", async () => {
    const user = userEvent.setup();
    renderScreen(<SecurityPage />);

    await user.click(await screen.findByRole("button", { name: "設定兩步驟驗證" }));
    expect(await screen.findByTitle("兩步驟驗證設定 QR 碼")).toBeInTheDocument();
    expect(screen.getByTestId("totp-secret")).toHaveTextContent("JBSWY3DPEHPK3PXP");

    await user.type(screen.getByLabelText("驗證碼"), "12345");
    await user.click(screen.getByRole("button", { name: "啟用" }));
    expect(await screen.findByText("請輸入 6 位數字")).toBeInTheDocument();

    await user.type(screen.getByLabelText("驗證碼"), "6");
    await user.click(screen.getByRole("button", { name: "啟用" }));
    expect(await screen.findByText(/兩步驟驗證已啟用/)).toBeInTheDocument();
    const verify = calls.find((call) => call.path === "/api/v1/auth/verify-2fa");
    expect(JSON.parse(verify!.body as string)).toEqual({ code: "123456" });
  });
});
