"""A phrase of the determination rule as the label texts that say it.

The appendices write alternatives compactly: ``增強(增加)自體免疫力`` (a bracket offers
another word for the one before it, or adds to it), ``滋潤/調理/強化滋養頭皮`` (slashes
separate alternatives that share the words before the first and after the last), and
``使用時散發淡淡○○○香氣`` (○ stands for any word: a scent, a body part). A phrase
becomes the set of strings it stands for; ○ runs become a wildcard."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pifai.ai.claims.text import PLACEHOLDER, fold

# Characters of the label's punctuation inside a sentence, dropped on both sides so a
# comma the label adds or leaves out does not hide a phrase.
_SOFT = str.maketrans("", "", "，,·・")
_BRACKET = re.compile(r"\(([^()]*)\)")
_WILDCARD = r"[^。！？!?；;、\n]{1,12}?"
MIN_ALTERNATIVE = 3  # a candidate built from slash alternatives is at least this long


def comparable(text: str) -> str:
    return fold(text).translate(_SOFT)


def _bracket_variants(segment: str) -> set[str]:
    m = _BRACKET.search(segment)
    if m is None:
        return {segment}
    before, word, rest = segment[: m.start()], m.group(1), segment[m.end() :]
    k = min(len(word), 2, len(before))
    heads = {before, before + word, before[: len(before) - k] + word} if word else {before}
    return {head + tail for head in heads for tail in _bracket_variants(rest)}


def _slash_candidates(segments: list[set[str]]) -> set[str]:
    firsts, middles, lasts = segments[0], segments[1:-1], segments[-1]
    cores = {m for group in middles for m in group}
    out: set[str] = set()
    for first in firsts:
        for i in range(len(first)):
            prefix = first[:i]
            for last in lasts:
                for j in range(1, len(last) + 1):
                    suffix = last[j:]
                    for core in (first[i:], last[:j], *cores):
                        out.add(prefix + core + suffix)
    # Alternatives written in full ("有效預防落髮/抑制落髮/減少落髮") stand alone too.
    out |= {s for group in segments for s in group}
    return {c for c in out if len(c.replace(PLACEHOLDER, "")) >= MIN_ALTERNATIVE}


@dataclass(frozen=True, slots=True)
class Pattern:
    plain: frozenset[str]
    wild: tuple[re.Pattern[str], ...]

    def find(self, text: str) -> tuple[int, int] | None:
        """The longest occurrence in the comparable ``text``, as (start, end)."""
        best: tuple[int, int] | None = None
        for candidate in self.plain:
            at = text.find(candidate)
            if at >= 0 and (best is None or len(candidate) > best[1] - best[0]):
                best = (at, at + len(candidate))
        for regex in self.wild:
            if (m := regex.search(text)) and (
                best is None or m.end() - m.start() > best[1] - best[0]
            ):
                best = (m.start(), m.end())
        return best


@lru_cache(maxsize=4096)
def compile_phrase(text: str) -> Pattern:
    folded = comparable(text)
    segments = [_bracket_variants(s) for s in folded.split("/") if s]
    if len(segments) > 1:
        candidates = _slash_candidates(segments)
    else:
        candidates = segments[0] if segments else set()
    plain = frozenset(c for c in candidates if PLACEHOLDER not in c and c)
    wild = tuple(
        re.compile(_WILDCARD.join(re.escape(part) for part in re.split(f"{PLACEHOLDER}+", c)))
        for c in sorted(candidates)
        if PLACEHOLDER in c
    )
    return Pattern(plain, wild)
