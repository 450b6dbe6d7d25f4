import { screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { AppLayout } from "./AppLayout";

function me(role: string) {
  return {
    user: {
      id: "3f1c2a9e-0000-4000-8000-000000000002",
      org_id: "3f1c2a9e-0000-4000-8000-0000000000aa",
      email: "someone@example.com",
      full_name: "林安全",
      role,
      locale: "zh-TW",
      is_active: true,
      email_verified_at: null,
      totp_enabled: true,
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

describe("the navigation", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows the review queue to a Safety Assessor", async () => {
    vi.stubGlobal("fetch", vi.fn<typeof fetch>(async () => json(200, me("sa"))));
    renderScreen(<AppLayout />);
    expect(await screen.findByRole("link", { name: "待審清單" })).toHaveAttribute("href", "/sa");
  });

  it("does not show it to an operator", async () => {
    vi.stubGlobal("fetch", vi.fn<typeof fetch>(async () => json(200, me("member"))));
    renderScreen(<AppLayout />);
    expect(await screen.findByTestId("signed-in-as")).toHaveTextContent("林安全 · 顧問公司");
    expect(screen.queryByRole("link", { name: "待審清單" })).toBeNull();
  });
});
