import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import {
  createMemoryHistory,
  createRootRoute,
  createRoute,
  createRouter,
  Outlet,
  RouterProvider,
} from "@tanstack/react-router";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { clearSession, currentToken } from "@/api/session";
import i18n from "@/i18n";

import { SignInPage } from "./SignIn";

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

const TOKENS = { access_token: "access-1", token_type: "bearer", expires_in: 900 };

function renderSignIn() {
  const root = createRootRoute({ component: Outlet });
  const signIn = createRoute({
    getParentRoute: () => root,
    path: "/sign-in",
    component: () => <SignInPage redirect="/products" />,
  });
  const products = createRoute({
    getParentRoute: () => root,
    path: "/products",
    component: () => <p>products screen</p>,
  });
  const router = createRouter({
    routeTree: root.addChildren([signIn, products]),
    history: createMemoryHistory({ initialEntries: ["/sign-in"] }),
  });
  render(
    <QueryClientProvider client={new QueryClient()}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

async function bodyOf(call: unknown[]): Promise<Record<string, unknown>> {
  return (await (call[0] as Request).clone().json()) as Record<string, unknown>;
}

describe("signing in", () => {
  const fetchMock = vi.fn<typeof fetch>();
  beforeEach(async () => {
    clearSession();
    fetchMock.mockReset();
    vi.stubGlobal("fetch", fetchMock);
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("asks for the TOTP code when the account needs it, then signs in as a browser", async () => {
    fetchMock
      .mockResolvedValueOnce(
        json(401, { error: { code: "totp_required", message: "send totp_code", details: null } }),
      )
      .mockResolvedValueOnce(json(200, TOKENS));
    const user = userEvent.setup();
    const router = renderSignIn();

    await user.type(await screen.findByLabelText("電子郵件"), "owner@example.com");
    await user.type(screen.getByLabelText("密碼"), "a long passphrase");
    await user.click(screen.getByRole("button", { name: "登入" }));

    const code = await screen.findByLabelText("驗證碼");
    expect(screen.getByRole("heading", { name: "兩步驟驗證" })).toBeInTheDocument();
    await user.type(code, "123456");
    await user.click(screen.getByRole("button", { name: "驗證" }));

    expect(await screen.findByText("products screen")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/products");
    expect(fetchMock).toHaveBeenCalledTimes(2);
    const [first, second] = fetchMock.mock.calls;
    expect(await bodyOf(first!)).toEqual({
      email: "owner@example.com",
      password: "a long passphrase",
      totp_code: null,
    });
    const request = second![0] as Request;
    expect(new URL(request.url).pathname).toBe("/api/v1/auth/login");
    expect(request.headers.get("X-Client")).toBe("browser");
    expect(await bodyOf(second!)).toMatchObject({ totp_code: "123456" });
    expect(currentToken()).toBe("access-1"); // in memory only
    expect(window.localStorage.length).toBeLessThanOrEqual(1); // at most the language
  });

  it("shows the API's refusal as a message, and checks the fields first", async () => {
    fetchMock.mockResolvedValueOnce(
      json(401, { error: { code: "invalid_credentials", message: "Invalid", details: null } }),
    );
    const user = userEvent.setup();
    renderSignIn();

    await user.click(await screen.findByRole("button", { name: "登入" }));
    expect(await screen.findByText("請輸入有效的電子郵件地址")).toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText("電子郵件"), "owner@example.com");
    await user.type(screen.getByLabelText("密碼"), "wrong");
    await user.click(screen.getByRole("button", { name: "登入" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("電子郵件或密碼不正確。");
    expect(currentToken()).toBeNull();
  });

  it("speaks English when asked", async () => {
    await i18n.changeLanguage("en");
    renderSignIn();
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByLabelText("E-mail")).toBeInTheDocument();
  });
});
