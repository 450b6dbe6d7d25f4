// The claims check's answer. The API types it only as an object (ClaimsCheckOut.result:
// dict[str, Any]); these are the parts the screen reads, as pifai/ai/claims writes them
// (check.py check_label, verdicts.py ClaimResult/PhraseMatch, elements.py), read with a
// check of each field so an unexpected answer shows less rather than breaking the screen.

export type Verdict = "red" | "amber" | "pending_data" | "green" | "gray";
const VERDICTS: readonly string[] = ["red", "amber", "pending_data", "green", "gray"];

export interface ClaimMatch {
  phrase: string;
  citation: string;
  verdict: Verdict;
  reason: string;
  found: string;
}

export interface Claim {
  claim: string;
  source: string;
  verdict: Verdict;
  matches: ClaimMatch[];
}

export interface LabelElement {
  key: string;
  article: string;
  requirement: string;
  title: string;
  status: string;
  found: string | null;
}

export interface RequiredWarning {
  ingredient: string;
  entry: string | null;
  required_text: string;
  status: string;
}

export interface ClaimsResult {
  verdict: Verdict;
  claims: Claim[];
  elements: LabelElement[];
  warnings: RequiredWarning[];
}

type Loose = Record<string, unknown>;

const str = (value: unknown): string => (typeof value === "string" ? value : "");
const strOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null);
const verdict = (value: unknown): Verdict =>
  (VERDICTS.includes(str(value)) ? value : "gray") as Verdict;
const list = (value: unknown): Loose[] =>
  Array.isArray(value)
    ? value.filter((v): v is Loose => typeof v === "object" && v !== null && !Array.isArray(v))
    : [];

export function readClaimsResult(result: Loose): ClaimsResult {
  return {
    verdict: verdict(result.verdict),
    claims: list(result.claims).map((c) => ({
      claim: str(c.claim),
      source: str(c.source),
      verdict: verdict(c.verdict),
      matches: list(c.matches).map((m) => ({
        phrase: str(m.phrase),
        citation: str(m.citation),
        verdict: verdict(m.verdict),
        reason: str(m.reason),
        found: str(m.found),
      })),
    })),
    elements: list(result.elements).map((e) => ({
      key: str(e.key),
      article: str(e.article),
      requirement: str(e.requirement),
      title: str(e.title),
      status: str(e.status),
      found: strOrNull(e.found),
    })),
    warnings: list(result.required_warnings).map((w) => ({
      ingredient: str(w.ingredient),
      entry: strOrNull(w.entry),
      required_text: str(w.required_text),
      status: str(w.status),
    })),
  };
}
