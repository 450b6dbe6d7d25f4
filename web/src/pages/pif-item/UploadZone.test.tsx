import { fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { Schemas } from "@/api/client";
import { ApiError } from "@/api/errors";
import { uploadFile } from "@/api/pif-item-queries";
import { clearSession, setSession } from "@/api/session";
import i18n from "@/i18n";

import { type Uploader, UploadZone } from "./UploadZone";

const STORED = { id: "f1", item_number: 11, original_filename: "stability.pdf", analysis_task: null } as unknown as Schemas["UploadOut"];

function pending() {
  let progress: (percent: number) => void = () => {};
  let settle: { resolve: (value: Schemas["UploadOut"]) => void; reject: (error: unknown) => void } | null = null;
  const upload = vi.fn<Uploader>((_file, onProgress) => {
    progress = onProgress;
    return new Promise((resolve, reject) => {
      settle = { resolve, reject };
    });
  });
  return { upload, progress: (p: number) => progress(p), settle: () => settle! };
}

describe("uploading an item's file", () => {
  beforeEach(async () => {
    await i18n.changeLanguage("zh-TW");
  });

  it("uploads the file chosen through the file button, with its progress, then says so", async () => {
    const user = userEvent.setup();
    const { upload, progress, settle } = pending();
    const onUploaded = vi.fn();
    render(<UploadZone upload={upload} replacing={false} onUploaded={onUploaded} />);
    const file = new File(["%PDF-1.4"], "stability.pdf", { type: "application/pdf" });
    screen.getByRole("button", { name: "選擇檔案上傳" }).focus();
    await user.upload(screen.getByLabelText("選擇檔案上傳"), file);
    expect(upload).toHaveBeenCalledWith(file, expect.any(Function));

    progress(40);
    const bar = await screen.findByRole("progressbar", { name: "「stability.pdf」上傳進度" });
    await vi.waitFor(() => expect(bar).toHaveAttribute("aria-valuenow", "40"));
    expect(screen.getByText("正在上傳「stability.pdf」：40%")).toBeInTheDocument();
    settle().resolve(STORED);
    expect(await screen.findByText("「stability.pdf」已上傳。")).toBeInTheDocument();
    expect(onUploaded).toHaveBeenCalledWith(STORED);
  });

  it("takes a file dropped on the zone and shows a refusal as a message", async () => {
    const { upload, settle } = pending();
    const onUploaded = vi.fn();
    render(<UploadZone upload={upload} replacing onUploaded={onUploaded} />);
    expect(screen.getByRole("button", { name: "上傳新版本以取代" })).toBeInTheDocument();
    const file = new File(["x".repeat(10)], "big.pdf", { type: "application/pdf" });
    fireEvent.drop(screen.getByTestId("drop-zone"), { dataTransfer: { files: [file] } });
    expect(upload).toHaveBeenCalledWith(file, expect.any(Function));
    settle().reject(new ApiError(413, "payload_too_large", "Upload exceeds 50 MB"));
    expect(await screen.findByRole("alert")).toHaveTextContent("「big.pdf」上傳失敗：檔案太大，超過上傳上限。");
    expect(onUploaded).not.toHaveBeenCalled();
  });

  it("names a type the item does not take", async () => {
    const { upload, settle } = pending();
    render(<UploadZone upload={upload} replacing={false} onUploaded={vi.fn()} />);
    fireEvent.drop(screen.getByTestId("drop-zone"), { dataTransfer: { files: [new File(["MZ"], "tool.exe")] } });
    settle().reject(new ApiError(415, "unsupported_media_type", "application/x-msdownload is not accepted"));
    expect(await screen.findByRole("alert")).toHaveTextContent("不接受此檔案類型（application/x-msdownload is not accepted）");
  });
});

class FakeXhr {
  static last: FakeXhr | null = null;
  headers: Record<string, string> = {};
  method = "";
  url = "";
  body: FormData | null = null;
  status = 0;
  responseText = "";
  upload: { onprogress: ((event: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: FormData) {
    this.body = body;
  }
  answer(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

describe("uploadFile (XMLHttpRequest)", () => {
  beforeEach(() => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    setSession("token-1", 900);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    clearSession();
  });

  it("sends the token and the item number, reports progress, and turns an error into an ApiError", async () => {
    const seen: number[] = [];
    const file = new File(["a,b"], "formula.csv");
    const done = uploadFile("p1", 11, file, (percent) => seen.push(percent));
    await vi.waitFor(() => expect(FakeXhr.last?.body).not.toBeNull());
    const xhr = FakeXhr.last!;
    expect(xhr.method).toBe("POST");
    expect(xhr.url).toBe("/api/v1/products/p1/pif/upload");
    expect(xhr.headers.Authorization).toBe("Bearer token-1");
    expect([...xhr.body!.keys()]).toEqual(["item_number", "file"]);
    expect(xhr.body!.get("item_number")).toBe("11");
    xhr.upload.onprogress?.({ lengthComputable: true, loaded: 25, total: 100 });
    expect(seen).toEqual([25]);
    xhr.answer(415, { error: { code: "unsupported_media_type", message: "not a type item 11 takes", details: null } });
    await expect(done).rejects.toMatchObject({ status: 415, code: "unsupported_media_type" });
  });
});
