// The compliance, safety, consistency and claims screen's calls (web/src/pages/analysis).
import { queryOptions } from "@tanstack/react-query";

import { api, type Schemas } from "./client";
import { unwrap } from "./errors";

const path = (productId: string) => ({ params: { path: { product_id: productId } } });

export function complianceQuery(productId: string) {
  return queryOptions({
    queryKey: ["analysis", productId, "compliance"],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/products/{product_id}/compliance", path(productId))),
  });
}

export function safetyQuery(productId: string) {
  return queryOptions({
    queryKey: ["analysis", productId, "safety"],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/products/{product_id}/safety", path(productId))),
  });
}

export function consistencyQuery(productId: string) {
  return queryOptions({
    queryKey: ["analysis", productId, "consistency"],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/products/{product_id}/consistency", path(productId))),
  });
}

/** Queue the safety assessment of the current formula (a task to poll). */
export async function requestAssessment(productId: string): Promise<Schemas["TaskAccepted"]> {
  return unwrap(await api.POST("/api/v1/products/{product_id}/safety/assess", path(productId)));
}

/** Queue the toxicology batch (PubChem, ECHA) for every ingredient (a task to poll). */
export async function requestToxicology(productId: string): Promise<Schemas["TaskAccepted"]> {
  return unwrap(await api.POST("/api/v1/products/{product_id}/toxicology", path(productId)));
}

export async function checkClaims(
  productId: string,
  body: Schemas["ClaimsCheckIn"],
): Promise<Schemas["ClaimsCheckOut"]> {
  return unwrap(
    await api.POST("/api/v1/products/{product_id}/claims/check", { ...path(productId), body }),
  );
}

export async function acknowledgeClaims(
  productId: string,
  body: Schemas["ClaimsAcknowledgeIn"],
): Promise<Schemas["ClaimsAcknowledgementOut"]> {
  return unwrap(
    await api.POST("/api/v1/products/{product_id}/claims/acknowledge", { ...path(productId), body }),
  );
}

/** The product's newest acknowledged claims check ({latest: null} before the first). */
export function claimsAcknowledgementQuery(productId: string) {
  return queryOptions({
    queryKey: ["analysis", productId, "claims-acknowledgement"],
    queryFn: async () =>
      unwrap(await api.GET("/api/v1/products/{product_id}/claims/acknowledgement", path(productId))),
  });
}
