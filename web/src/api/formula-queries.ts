// The formula screen's server state (PIF item 3): the stored rows, the product's
// compliance check, the replacement of the rows and the live check of unsaved edits.
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";

import { api, type Schemas } from "./client";
import { unwrap } from "./errors";

export type FormulaRead = Schemas["ProductIngredientsRead"];
export type FormulaRowRead = Schemas["ProductIngredientRead"];
export type FormulaRowWrite = Schemas["ProductIngredientWrite"];
export type Finding = Schemas["FindingOut"];
export type FormulaCheck = Schemas["FormulaCheckResponse"];
export type FormulaCheckRequest = Schemas["FormulaCheckRequest"];

export function formulaQuery(productId: string) {
  return queryOptions({
    queryKey: ["formula", productId],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/products/{product_id}/ingredients", {
          params: { path: { product_id: productId } },
        }),
      ),
  });
}

export function productComplianceQuery(productId: string) {
  return queryOptions({
    queryKey: ["compliance", productId],
    queryFn: async () =>
      unwrap(
        await api.GET("/api/v1/products/{product_id}/compliance", {
          params: { path: { product_id: productId } },
        }),
      ),
  });
}

/** PUT the whole formula; on success the stored rows replace the cached ones and the
 * product's findings (and its PIF overview) are fetched again. */
export function useSaveFormula(productId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (rows: FormulaRowWrite[]) =>
      unwrap(
        await api.PUT("/api/v1/products/{product_id}/ingredients", {
          params: { path: { product_id: productId } },
          body: { rows },
        }),
      ),
    onSuccess: async (saved) => {
      queryClient.setQueryData(formulaQuery(productId).queryKey, saved);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["compliance", productId] }),
        queryClient.invalidateQueries({ queryKey: ["pif", productId] }),
      ]);
    },
  });
}

/** The rule engine on rows not saved yet (nothing is stored). */
export function useCheckFormula() {
  return useMutation({
    mutationFn: async (body: FormulaCheckRequest) =>
      unwrap(await api.POST("/api/v1/ingredients/check-formula", { body })),
  });
}
