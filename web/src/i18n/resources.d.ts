import "i18next";

import type zhTW from "./zh-TW.json";

// Typed keys: t("nav.products") is checked against the zh-TW catalogue.
declare module "i18next" {
  interface CustomTypeOptions {
    resources: { translation: typeof zhTW };
  }
}
