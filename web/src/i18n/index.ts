import i18n from "i18next";
import { initReactI18next } from "react-i18next";

import en from "./en.json";
import zhTW from "./zh-TW.json";

export const LANGUAGES = ["zh-TW", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = "pifai.language"; // a preference, nothing secret

function initialLanguage(): Language {
  const stored = typeof localStorage !== "undefined" ? localStorage.getItem(STORAGE_KEY) : null;
  return LANGUAGES.find((language) => language === stored) ?? "zh-TW";
}

void i18n.use(initReactI18next).init({
  resources: { "zh-TW": { translation: zhTW }, en: { translation: en } },
  lng: initialLanguage(),
  fallbackLng: "zh-TW",
  interpolation: { escapeValue: false }, // React escapes
  returnNull: false,
  showSupportNotice: false,
});

i18n.on("languageChanged", (language) => {
  document.documentElement.lang = language;
  localStorage.setItem(STORAGE_KEY, language);
});

export default i18n;
