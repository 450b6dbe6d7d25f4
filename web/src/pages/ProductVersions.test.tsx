import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, NO_TASKS, renderScreen } from "@/test-utils";

import { ProductVersions } from "./ProductVersions";
import { SubmitReview } from "./SubmitReview";

const ID = "3f1c2a9e-0000-4000-8000-000000000001";
const TASK = "3f1c2a9e-0000-4000-8000-000000000901";

function version(number: number, status: string) {
  return {
    id: `3f1c2a9e-0000-4000-8000-00000000050${number}`,
    number,
    status,
    snapshot_sha256: null,
    formula_sha256: null,
    process_sha256: null,
    packaging_sha256: null,
    signed_at: status === "draft" ? null : "2026-11-20T08:00:00Z",
    signed_by: null,
    signer_name: status === "draft" ? null : "林安全",
    qualification_ref: null,
    signature_method: null,
    created_at: "2026-11-20T08:00:00Z",
  };
}

const CHANGED = {
  needs_resign: true,
  reasons: [{ part: "formula", "zh-TW": "配方已變更", en: "The formula changed" }],
  current_version: 1,
  suggested_next_version: 2,
};

type Handler = (method: string, path: string) => Response | undefined;

function serve(handler: Handler) {
  const posts: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>(async (input) => {
      const request = input as Request;
      const path = new URL(request.url).pathname;
      if (request.method === "POST") posts.push(path);
      const answer = handler(request.method, path);
      if (answer) return answer;
      if (path === "/api/v1/tasks") return json(200, NO_TASKS);
      if (path.endsWith("/pif-versions")) return json(200, { items: [version(0, "draft"), version(1, "signed")] });
      if (path.endsWith("/change-detection")) return json(200, CHANGED);
      return json(404, { error: { code: "not_found", message: "none", details: null } });
    }),
  );
  return posts;
}

describe("a product's versions and PIF document", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("lists the versions and opens the next draft from the change banner", async () => {
    const user = userEvent.setup();
    const posts = serve((method, path) =>
      method === "POST" && path.endsWith("/pif-versions/draft") ? json(200, version(2, "draft")) : undefined,
    );
    renderScreen(<ProductVersions productId={ID} />);

    expect(within(await screen.findByTestId("version-1")).getByText(/林安全/)).toBeInTheDocument();
    expect(within(screen.getByTestId("version-0")).getByText("草稿")).toBeInTheDocument();
    const banner = await screen.findByTestId("change-banner");
    expect(banner).toHaveTextContent("配方已變更");
    await user.click(within(banner).getByRole("button", { name: "開啟第 2 版草稿" }));
    expect(await screen.findByText("已開啟第 2 版草稿。")).toBeInTheDocument();
    expect(posts).toEqual([`/api/v1/products/${ID}/pif-versions/draft`]);
  });

  it("generates the PDF, follows the task and opens the document", async () => {
    const user = userEvent.setup();
    serve((_method, path) => {
      if (path.endsWith("/pif/generate")) {
        return json(202, { task_id: TASK, kind: "pif.generate", document_id: TASK, version: 0 });
      }
      if (path === `/api/v1/tasks/${TASK}`) return json(200, { id: TASK, status: "done", error: null });
      if (path.endsWith("/pif/download")) {
        return new Response("%PDF-1.7", { status: 200, headers: { "Content-Type": "application/pdf" } });
      }
      return undefined;
    });
    // jsdom has no object URLs: these two stand in for the browser's.
    const created = vi.fn(() => "blob:pdf");
    URL.createObjectURL = created;
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderScreen(<ProductVersions productId={ID} />);

    await user.click(await screen.findByRole("button", { name: "產生 PDF" }));
    expect(await screen.findByText("PDF 已完成，可以開啟。")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "開啟 PDF" }));
    await vi.waitFor(() => expect(click).toHaveBeenCalledOnce());
    expect(created).toHaveBeenCalledOnce();
    expect((click.mock.contexts[0] as HTMLAnchorElement).target).toBe("_blank");
    click.mockRestore();
    // @ts-expect-error -- removed again: jsdom's URL has none
    delete URL.createObjectURL;
  });

  it("makes the newest signed version's PDF by default, the working draft when chosen", async () => {
    const user = userEvent.setup();
    const sent: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn<typeof fetch>(async (input) => {
        const request = input as Request;
        const url = new URL(request.url);
        if (url.pathname === "/api/v1/tasks") return json(200, NO_TASKS);
        if (url.pathname.endsWith("/pif-versions")) {
          return json(200, { items: [version(0, "draft"), version(1, "superseded"), version(2, "signed")] });
        }
        if (url.pathname.endsWith("/change-detection")) return json(200, { ...CHANGED, needs_resign: false });
        if (url.pathname.endsWith("/pif/generate")) {
          sent.push(`generate ${await request.text()}`);
          return json(202, { task_id: TASK, kind: "pif.generate", document_id: TASK, version: 2 });
        }
        if (url.pathname.endsWith("/pif/download")) {
          sent.push(`download ${url.search}`);
          return json(404, { error: { code: "not_found", message: "none", details: null } });
        }
        return json(200, { id: TASK, status: "pending", error: null });
      }),
    );
    renderScreen(<ProductVersions productId={ID} />);

    const choice = await screen.findByLabelText("PDF 版本");
    await vi.waitFor(() => expect(choice).toHaveValue("2"));
    await user.click(screen.getByRole("button", { name: "產生 PDF" }));
    await user.click(screen.getByRole("button", { name: "開啟 PDF" }));
    await user.selectOptions(choice, "工作草稿（V0）");
    await user.click(screen.getByRole("button", { name: "開啟 PDF" }));
    await vi.waitFor(() => expect(sent).toHaveLength(3));
    expect(sent).toEqual(['generate {"version":2}', "download ?version=2", "download ?version=0"]);
  });

  it("offers the PDF only once the versions are known (its default is the newest signed)", async () => {
    let answer: (response: Response) => void = () => {};
    serve(() => undefined); // everything but the versions, which answer when told
    const fetch = globalThis.fetch;
    vi.stubGlobal(
      "fetch",
      vi.fn<typeof globalThis.fetch>(async (input) => {
        const path = new URL((input as Request).url).pathname;
        if (path.endsWith("/pif-versions")) return new Promise<Response>((resolve) => (answer = resolve));
        return fetch(input);
      }),
    );
    renderScreen(<ProductVersions productId={ID} />);
    expect(await screen.findByRole("status")).toBeInTheDocument(); // loading
    expect(screen.queryByRole("button", { name: "產生 PDF" })).toBeNull();

    answer(json(200, { items: [version(0, "draft"), version(1, "signed")] }));
    expect(await screen.findByRole("button", { name: "產生 PDF" })).toBeInTheDocument();
    expect(screen.getByLabelText("PDF 版本")).toHaveValue("1");
  });

  it("says so when no PDF was generated yet", async () => {
    const user = userEvent.setup();
    serve(() => undefined);
    renderScreen(<ProductVersions productId={ID} />);
    await user.click(await screen.findByRole("button", { name: "開啟 PDF" }));
    expect(await screen.findByText(/none/)).toBeInTheDocument();
  });
});

describe("submitting for review", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("lists the blocking items of a 409", async () => {
    const user = userEvent.setup();
    serve(() =>
      json(409, {
        error: {
          code: "items_not_ready",
          message: "2 mandatory item(s) are not ready",
          details: { blocking_items: [{ item_number: 3, status: "missing" }, { item_number: 7, status: "uploaded" }] },
        },
      }),
    );
    renderScreen(<SubmitReview productId={ID} />);
    await user.click(await screen.findByRole("button", { name: "送安全評估人員審查" }));
    expect(await screen.findByText("尚有必要項目未就緒，無法送審。")).toBeInTheDocument();
    const list = screen.getByTestId("blocking-items");
    expect(within(list).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["3 · 缺件", "7 · 已上傳"]);
  });

  it("confirms a submission", async () => {
    const user = userEvent.setup();
    const posts = serve((method) => (method === "POST" ? json(201, {}) : undefined));
    renderScreen(<SubmitReview productId={ID} />);
    await user.click(await screen.findByRole("button", { name: "送安全評估人員審查" }));
    expect(await screen.findByText("已送審。")).toBeInTheDocument();
    expect(posts).toEqual([`/api/v1/products/${ID}/pif/submit-review`]);
  });
});
