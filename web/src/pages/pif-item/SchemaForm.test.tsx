import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { ApiError } from "@/api/errors";
import i18n from "@/i18n";

import { objectSpec } from "./json-schema";
import schemas from "./item-schemas.fixture.json";
import { SchemaForm } from "./SchemaForm";

// The server's own schemas (GET /api/v1/pif/item-schemas) of items 6, 7 and 8.
const usage = objectSpec(schemas["7"]);
const process = objectSpec(schemas["6"]);
const reactions = objectSpec(schemas["8"]);

describe("the schema-driven item form", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });

  it("renders the item's fields from its schema, filled with the content", () => {
    render(
      <SchemaForm
        spec={usage}
        content={{ method: "取適量塗抹", body_sites: ["臉部", "頸部"], amount_per_use_g: 0.8 }}
        onSave={vi.fn()}
      />,
    );
    expect(screen.getByRole("textbox", { name: "方法 *" })).toHaveValue("取適量塗抹");
    expect(screen.getByRole("textbox", { name: "使用部位 *" })).toHaveValue("臉部\n頸部");
    expect(screen.getByRole("textbox", { name: "每次用量（g）" })).toHaveValue("0.8");
    expect(screen.getByRole("textbox", { name: "使用族群 *" })).toHaveValue("");
    // Booleans, enums and dates of the rows of item 8.
    render(<SchemaForm spec={reactions} content={{ has_reports: true, reports: [{ severity: "mild", reported_on: "2026-11-02" }] }} onSave={vi.fn()} />);
    expect(screen.getByRole("checkbox", { name: "有不良反應報告 *" })).toBeChecked();
    const row = screen.getByTestId("reports-row");
    expect(within(row).getByRole("combobox", { name: "嚴重程度 *" })).toHaveDisplayValue("輕微");
    expect(within(row).getByLabelText("獲知日期 *")).toHaveValue("2026-11-02");
  });

  it("adds and removes rows of a table", async () => {
    const user = userEvent.setup();
    render(<SchemaForm spec={process} content={{ stages: [{ name: "乳化" }] }} onSave={vi.fn()} />);
    expect(screen.getAllByTestId("stages-row")).toHaveLength(1);
    await user.click(screen.getByRole("button", { name: "新增製程階段" }));
    const rows = screen.getAllByTestId("stages-row");
    expect(rows).toHaveLength(2);
    expect(within(rows[1]!).getByRole("textbox", { name: "階段名稱 *" })).toHaveValue("");
    await user.click(screen.getByRole("button", { name: "移除製程階段 #1" }));
    const left = screen.getAllByTestId("stages-row");
    expect(left).toHaveLength(1);
    expect(within(left[0]!).getByRole("textbox", { name: "階段名稱 *" })).toHaveValue("");
  });

  it("submits typed values, without the keys the item does not take", async () => {
    const user = userEvent.setup();
    const onSave = vi.fn<(content: Record<string, unknown>) => Promise<unknown>>(async () => ({}));
    render(
      <SchemaForm
        spec={usage}
        content={{ method: "塗抹", body_sites: ["臉部"], target_population: "成人", engine_draft: {} }}
        onSave={onSave}
      />,
    );
    await user.type(screen.getByRole("textbox", { name: "每次用量（g）" }), "0.5");
    await user.type(screen.getByRole("textbox", { name: "每日使用次數" }), "2");
    await user.type(screen.getByRole("textbox", { name: "使用部位 *" }), "\n\n頸部 ");
    await user.click(screen.getByRole("button", { name: "儲存內容" }));
    expect(onSave).toHaveBeenCalledWith({
      method: "塗抹",
      body_sites: ["臉部", "頸部"],
      amount_per_use_g: 0.5,
      applications_per_day: 2,
      target_population: "成人",
      warnings: [],
    });
    expect(await screen.findByText("已儲存。")).toBeInTheDocument();
  });

  it("sends back the machine's provenance unchanged (the API marks edited fields)", async () => {
    const user = userEvent.setup();
    const onSave = vi.fn<(content: Record<string, unknown>) => Promise<unknown>>(async () => ({}));
    const provenance = { max_temperature_c: { confidence: 0.7, method: "llm", needs_review: true } };
    render(<SchemaForm spec={process} content={{ max_temperature_c: 75, provenance }} onSave={onSave} />);
    const field = screen.getAllByRole("textbox", { name: "最高溫度（°C）" })[0]!;
    await user.clear(field);
    await user.type(field, "80");
    await user.click(screen.getByRole("button", { name: "儲存內容" }));
    expect(onSave).toHaveBeenCalledWith({ stages: [], max_temperature_c: 80, provenance });
  });

  it("shows where the machine read a field, with its confidence colour", () => {
    const provenance = { notes: { confidence: 0.45, method: "llm", needs_review: true } };
    render(<SchemaForm spec={process} content={{ notes: "由報告讀取", provenance }} onSave={vi.fn()} />);
    const note = screen.getByTestId("source-notes");
    expect(note).toHaveTextContent("由系統讀取（AI）");
    expect(within(note).getByText("低 45%")).toHaveClass("bg-red-100");
    expect(note).toHaveTextContent("需人工確認");
    expect(screen.queryByTestId("source-max_temperature_c")).toBeNull();
  });

  it("shows the API's 422 at its field and keeps the unsaved input", async () => {
    const user = userEvent.setup();
    const onSave = vi.fn(async () => {
      throw new ApiError(422, "validation_error", "Content of item 6 is not valid.", [
        { loc: ["stages", 0, "max_temperature_c"], msg: "Input should be less than or equal to 400", type: "less_than_equal", ctx: { le: 400 } },
        { loc: ["stages", 0, "steps", 1], msg: "String should have at most 500 characters", type: "string_too_long", ctx: { max_length: 500 } },
      ]);
    });
    render(<SchemaForm spec={process} content={{ stages: [{ name: "乳化", steps: ["加熱"] }] }} onSave={onSave} />);
    const temperature = within(screen.getByTestId("stages-row")).getByRole("textbox", { name: "最高溫度（°C）" });
    await user.type(temperature, "900");
    await user.click(screen.getByRole("button", { name: "儲存內容" }));

    const message = await screen.findByText("須小於或等於 400");
    expect(temperature).toHaveAttribute("aria-invalid", "true");
    expect(temperature.getAttribute("aria-describedby")).toContain(message.id);
    expect(temperature).toHaveValue("900");
    expect(screen.getByText("第 2 行：最多 500 個字元")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("內容未通過檢查");
  });
});
