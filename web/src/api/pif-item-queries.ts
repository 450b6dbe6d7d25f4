import { queryOptions } from "@tanstack/react-query";

import { api, type Schemas } from "./client";
import { toApiError, unwrap } from "./errors";
import { ensureToken } from "./session";

export type ItemDetail = Schemas["ItemDetail"];
export type ItemStatus = ItemDetail["status"];

/** Each item's content schema: reference data shipped with the server. */
export const itemSchemasQuery = queryOptions({
  queryKey: ["pif-item-schemas"],
  queryFn: async () => unwrap(await api.GET("/api/v1/pif/item-schemas")),
  staleTime: Infinity,
});

export function pifItemQuery(productId: string, itemNumber: number) {
  return queryOptions({
    queryKey: ["pif", productId, "item", itemNumber],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/products/{product_id}/pif/{item_number}", {
          params: { path: { product_id: productId, item_number: itemNumber } },
        }),
      ),
  });
}

export async function updateItem(
  productId: string,
  itemNumber: number,
  body: Schemas["ItemUpdate"],
): Promise<ItemDetail> {
  return unwrap(
    await api.PUT("/api/v1/products/{product_id}/pif/{item_number}", {
      params: { path: { product_id: productId, item_number: itemNumber } },
      body,
    }),
  );
}

export async function analyzeItem(productId: string, itemNumber: number) {
  return unwrap(
    await api.POST("/api/v1/products/{product_id}/pif/analyze", {
      params: { path: { product_id: productId } },
      body: { item_numbers: [itemNumber] },
    }),
  );
}

export async function deleteFile(productId: string, fileId: string): Promise<void> {
  const { error, response } = await api.DELETE("/api/v1/products/{product_id}/pif/files/{file_id}", {
    params: { path: { product_id: productId, file_id: fileId } },
  });
  if (!response.ok) throw toApiError(response.status, error);
}

/** The file's bytes with the session's token (a plain link would carry none). */
export async function downloadFile(productId: string, fileId: string): Promise<Blob> {
  const { data, error, response } = await api.GET("/api/v1/products/{product_id}/pif/files/{file_id}", {
    params: { path: { product_id: productId, file_id: fileId } },
    parseAs: "blob",
  });
  if (!response.ok || !(data instanceof Blob)) throw toApiError(response.status, error);
  return data;
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** POST .../pif/upload through XMLHttpRequest, the one browser API that reports upload
 * progress (fetch has none); `onProgress` gets 0-100. Rejects with an ApiError (413, 415,
 * 422 ...) or a TypeError when the network failed. */
export async function uploadFile(
  productId: string,
  itemNumber: number,
  file: File,
  onProgress: (percent: number) => void,
): Promise<Schemas["FileOut"]> {
  const token = await ensureToken();
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/v1/products/${encodeURIComponent(productId)}/pif/upload`);
    if (token) request.setRequestHeader("Authorization", `Bearer ${token}`);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress((event.loaded / event.total) * 100);
    };
    request.onload = () => {
      const body = parseBody(request.responseText);
      if (request.status >= 200 && request.status < 300) {
        onProgress(100);
        resolve(body as Schemas["FileOut"]);
      } else {
        reject(toApiError(request.status, body));
      }
    };
    request.onerror = () => reject(new TypeError("network"));
    const form = new FormData();
    form.append("item_number", String(itemNumber)); // before the file: the API reads it first
    form.append("file", file);
    request.send(form);
  });
}
