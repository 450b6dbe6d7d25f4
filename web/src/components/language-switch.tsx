import { useTranslation } from "react-i18next";

import { Select } from "@/components/ui/input";
import { LANGUAGES } from "@/i18n";

const NAMES: Record<(typeof LANGUAGES)[number], string> = { "zh-TW": "繁體中文", en: "English" };

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <Select
      aria-label={t("app.language")}
      className="h-8 w-auto"
      value={i18n.language}
      onChange={(event) => void i18n.changeLanguage(event.target.value)}
    >
      {LANGUAGES.map((language) => (
        <option key={language} value={language} lang={language}>
          {NAMES[language]}
        </option>
      ))}
    </Select>
  );
}
