import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import i18n from "@/i18n";
import { json, renderScreen } from "@/test-utils";

import { SubmitReview } from "./SubmitReview";

const ID = "3f1c2a9e-0000-4000-8000-000000000001";
const REVIEW = {
  id: "3f1c2a9e-0000-4000-8000-0000000000bb",
  org_id: "3f1c2a9e-0000-4000-8000-0000000000aa",
  product_id: ID,
  product_name: "玻尿酸保濕精華液",
  status: "revision_requested",
  assigned_sa_id: null,
  submitted_at: "2026-12-01T08:00:00Z",
  submissions: 1,
  external: false,
  final_assessment: null,
  signature: null,
};
const comment = (item: number | null, kind: string, body: string) => ({
  id: `3f1c2a9e-0000-4000-8000-00000000000${item ?? 0}`,
  item_number: item,
  kind,
  body,
  author_id: null,
  author_name: "林安評",
  created_at: "2026-12-01T09:00:00Z",
});

function answer(review: unknown, submit = json(201, REVIEW)) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn<typeof fetch>(async (input) => {
      const request = input as Request;
      calls.push(`${request.method} ${new URL(request.url).pathname}`);
      if (request.method === "POST") return submit.clone();
      return json(200, review);
    }),
  );
  return calls;
}

describe("the product's review", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });
  afterEach(() => vi.unstubAllGlobals());

  it("shows what the SA asked for when the PIF was sent back", async () => {
    answer({
      review: REVIEW,
      comments: [
        comment(3, "revision", "請附上調整後的配方表"),
        comment(6, "comment", "製程描述清楚"),
      ],
    });
    renderScreen(<SubmitReview productId={ID} />);

    expect(await screen.findByText(/第 3 項: 請附上調整後的配方表/)).toBeInTheDocument();
    expect(screen.queryByText(/製程描述清楚/)).toBeNull(); // a remark, not a request
    expect(screen.getByTestId("review-state")).toHaveTextContent("退回修改（第 1 次送審）");
  });

  it("says nothing of a review before the first submission, then submits", async () => {
    const calls = answer({ review: null, comments: [] });
    renderScreen(<SubmitReview productId={ID} />);

    await userEvent.click(await screen.findByRole("button", { name: "送安全評估人員審查" }));
    expect(await screen.findByText("已送審。")).toBeInTheDocument();
    expect(calls).toContain(`POST /api/v1/products/${ID}/pif/submit-review`);
    expect(screen.queryByText(/安全評估人員退回修改/)).toBeNull();
  });

  it("lists the items that block the submission", async () => {
    const refused = json(409, {
      error: {
        code: "items_not_ready",
        message: "Items not ready",
        details: { blocking_items: [{ item_number: 3, status: "uploaded" }] },
      },
    });
    answer({ review: null, comments: [] }, refused);
    renderScreen(<SubmitReview productId={ID} />);

    await userEvent.click(await screen.findByRole("button", { name: "送安全評估人員審查" }));
    expect(await screen.findByTestId("blocking-items")).toHaveTextContent("3 ·");
  });
});
