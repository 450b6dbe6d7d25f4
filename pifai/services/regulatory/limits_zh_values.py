"""Readers of ``limits_zh``: the values of 限量標準, and one reader per kind of sentence of
限制規定 (and of the prohibited list's 備註). A reader returns True when it has taken the
sentence (read it, or kept it as text itself); the caller keeps what no reader takes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pifai.ai.regulatory import expand_scope
from pifai.domain import PRODUCT_TYPES
from pifai.services.regulatory.limits_zh_terms import (
    NUM,
    VALUE_RE,
    Part,
    expressed_as,
    number,
    product_tags_zh,
    qualifiers,
    split_letters,
    to_pct,
    to_ppm,
    types_minus,
)

if TYPE_CHECKING:
    from pifai.services.regulatory.limits_zh import Types, ZhParse

_NUMBERED = re.compile(r"^\(1\)\s*[\d.]")
_MARKER = re.compile(r"^[\s,]*(單獨使用|混合使用[^,。;惟]*)")
_CONDITIONAL = re.compile(r"時|者|pH|惟")
_TRIVIAL = re.compile(r"^(?:[\s,;:。]|限量為|限量|其)*$")
_ALL = frozenset(PRODUCT_TYPES)


@dataclass(slots=True)
class _Value:
    pct: float
    expressed: str | None
    kind: str  # limit | total | named_total | mixed
    text: str
    refs: list[str]


def _label(part: Part, text: str) -> str:
    prefix = "&".join(f"({label})" for label in part.letters)
    return f"{prefix}{text}".strip()


def read_values(
    parsed: ZhParse, types: Types, text: str, *, group_prefix: str, entry_no: str | None
) -> None:
    """The values of 限量標準, each paired with the product types of its letter."""
    if not text:
        return
    parts = split_letters(text)
    found: list[tuple[Part, _Value]] = []
    for part in parts:
        if _NUMBERED.match(part.text):
            parsed.keep(
                _label(part, part.text),
                "one value per numbered member: an entry holds one rule, so kept as text",
            )
            continue
        found += [(part, value) for value in _values(parsed, part)]
    lettered_values = any(p.letters for p in parts)
    plain = {(v.pct, v.expressed) for _, v in found if v.kind == "limit"}
    if lettered_values and not types.lettered and len(plain) > 1:
        parsed.keep(
            text,
            "lettered values without lettered product types: the conditions say which "
            "applies; the engine applies the lowest",
        )
    key_base = f"{group_prefix}:{entry_no or 'entry'}"
    for part, value in found:
        applies = _applies_to(parsed, types, part)
        if applies is not None:
            _add(parsed, value, applies, key_base, group_prefix, part)


def _values(parsed: ZhParse, part: Part) -> list[_Value]:
    """The values of one lettered part; conditional values and lower bounds are kept."""
    text = part.text
    matches: list[tuple[re.Match[str], list[str], int]] = []
    pos = 0
    while match := VALUE_RE.search(text, pos):
        quals, end = qualifiers(text, match.end())
        matches.append((match, quals, end))
        pos = end
    out: list[_Value] = []
    prev = 0
    for index, (match, quals, end) in enumerate(matches):
        nxt = matches[index + 1][0].start() if index + 1 < len(matches) else len(text)
        before, tail = text[prev : match.start()], text[end:nxt]
        marker = _MARKER.match(tail)
        prev = end + (marker.end() if marker else 0)
        segment = _label(part, text[match.start() : prev].strip())
        # "惟 … 限量分別不得超過 0.14 %" states a limit of each member; any other words
        # before a value, or "…時" after it, make it a value under a condition.
        individual = "分別不得超過" in before
        conditional = not individual and (
            bool(_CONDITIONAL.search(before))
            or bool(re.match(r"\s*時", tail))
            or not _TRIVIAL.match(before)
        )
        lower = match.group("cmp") in ("≥", ">") or (match.group("bound") or "").strip() == "以上"
        if conditional or lower:
            parsed.keep(
                _label(part, (before + text[match.start() : nxt]).strip(" ,;。")),
                "a value under a condition, or a lower bound: not a maximum; kept as text",
            )
            prev = nxt
            continue
        out.append(_value(parsed, part, match, quals, marker, segment))
    rest = text[prev:].strip(" ,;。")
    if rest and matches:
        parsed.keep(_label(part, rest))
    elif not matches and text:
        parsed.keep(_label(part, text), "no value read")
    return out


def _value(
    parsed: ZhParse,
    part: Part,
    match: re.Match[str],
    quals: list[str],
    marker: re.Match[str] | None,
    segment: str,
) -> _Value:
    pct = to_pct(number(match.group("num")), match.group("unit"))
    kind, expressed, refs = "limit", None, []
    for qual in quals:
        inner = VALUE_RE.search(qual)
        if inner is not None and "用途" in qual:
            use = re.split(r"[,:]|限量", qual)[0].removeprefix("倘").removeprefix("作為")
            parsed.other_use_limits.append(
                {
                    "use": use.strip(),
                    "max_pct": round(to_pct(number(inner.group("num")), inner.group("unit")), 10),
                    "text": _label(part, qual),
                }
            )
            parsed.keep(_label(part, qual), "a limit for another use: recorded, not enforced")
        elif (found := expressed_as(qual)) is not None:
            expressed = found
        elif "總量" in qual:
            kind = "total"
        elif "單一使用或混合使用" in qual:
            kind = "named_total"
    if marker is not None:
        if marker.group(1).startswith("混合使用"):
            kind = "mixed"
            numbers = re.search(r"編號\s*([\d\s及、,和]+)", marker.group(1))
            refs = re.findall(r"\d+", numbers.group(1)) if numbers else []
    return _Value(round(pct, 10), expressed, kind, segment, refs)


def _applies_to(parsed: ZhParse, types: Types, part: Part) -> list[str] | None:
    """The product types of a lettered value ([] = every type no other value names)."""
    if not types.lettered or not part.letters:
        return []
    letters = part.base_letters()
    if not letters <= set(types.lettered):
        parsed.keep(part.text, f"value of letter {sorted(letters)} without a product type")
        return None
    tags: list[str] = []
    for letter in sorted(letters):
        phrase, _ = types.lettered[letter]
        if phrase.other:
            return []
        if not phrase.tags:
            return None  # unmapped: the phrase is kept by _note_types
        tags += [t for t in types_minus(phrase.tags, phrase.except_tags) if t not in tags]
    return tags


def _add(
    parsed: ZhParse, value: _Value, applies: list[str], key_base: str, prefix: str, part: Part
) -> None:
    if value.kind in ("limit", "total", "named_total"):
        limit: dict[str, Any] = {"max_pct": value.pct, "applies_to": applies}
        if value.expressed:
            limit["expressed_as"] = value.expressed
        limit["text"] = value.text
        # "惟 … 分別不得超過0.14 %" restates the limit of (a): one limit, not two.
        same = [
            lim
            for lim in parsed.limits
            if (lim["max_pct"], lim["applies_to"]) == (value.pct, applies)
            and (lim.get("expressed_as") == value.expressed or value.expressed is None)
        ]
        if not same:
            parsed.limits.append(limit)
    if value.kind == "limit":
        return
    if applies:
        parsed.keep(value.text, "a summed limit for one product type: the engine sums per formula")
        return
    key = f"{prefix}:{'+'.join(sorted(value.refs, key=int))}" if value.refs else key_base
    group: dict[str, Any] = {"key": key, "max_pct": value.pct}
    if value.expressed:
        group["expressed_as"] = value.expressed
    group["text"] = value.text
    if value.refs:
        group["entries"] = value.refs
    if value.kind == "named_total":
        parsed.keep(value.text, "the sum is over the substances the text names")
    if all(g["key"] != key for g in parsed.groups):
        parsed.groups.append(group)


# --- sentences of 限制規定 -----------------------------------------------------------

Reader = Callable[["ZhParse", str, frozenset[str], str], bool]
_AGE3 = r"(?:三|3)歲以下(?:之)?(?:孩童|兒童)"
_CHILD_RE = re.compile(_AGE3)
_CHILD_PATTERNS = (
    re.compile(rf"^除(?P<exc>.+?)外,?\s*不得使用於{_AGE3}之產品$"),
    re.compile(rf"^不得使用於{_AGE3}之產品,?\s*但(?P<exc>.+?)除外$"),
    re.compile(rf"^不得使用於{_AGE3}(?:之產品)?$"),
    re.compile(rf"^不得使用於{_AGE3}之(?P<where>.+?)(?:產品)?$"),
)


def _children(parsed: ZhParse, clause: str, context: frozenset[str], verbatim: str) -> bool:
    """ "除洗髮產品外，不得使用於三歲以下孩童之產品" and its kin."""
    if not _CHILD_RE.search(clause):
        return False
    for pattern in _CHILD_PATTERNS:
        match = pattern.match(clause)
        if match is None:
            continue
        named = match.groupdict()
        phrase = named.get("exc") or named.get("where")
        banned = set(context)
        if phrase is not None:
            tags = product_tags_zh(phrase)
            if not tags.mapped or tags.other:
                break
            if tags.approx:
                parsed.keep(verbatim, f"{'、'.join(tags.approx)}: read as {', '.join(tags.tags)}")
            types = set(expand_scope(tags.tags))
            banned = banned - types if named.get("exc") else banned & types
        parsed.children = (parsed.children or set()) | banned
        return True
    parsed.keep(verbatim, "children rule not expressible (body site or age)")
    return True


def _exclusion(parsed: ZhParse, clause: str, context: frozenset[str], verbatim: str) -> bool:
    """ "不得使用於口腔與唇部產品" -> excluded oral, lip (spray products: kept as text)."""
    match = re.match(r"^不得使用於(?P<what>.+?)(?:產品|化粧品|製劑)?$", clause)
    if match is None:
        return False
    tags = product_tags_zh(match.group("what"))
    kept = set(expand_scope(types_minus(tags.tags, tags.except_tags))) & context
    named = [pt for pt in PRODUCT_TYPES if pt in kept]
    as_tags = types_minus(tags.tags, tags.except_tags) if context == _ALL else named
    parsed.excluded += [t for t in as_tags if t not in parsed.excluded]
    if tags.unmapped or tags.except_unmapped or tags.approx or tags.except_tags or not named:
        parsed.keep(verbatim)
    return True


def _only_in(parsed: ZhParse, clause: str, context: frozenset[str], verbatim: str) -> bool:
    """ "限使用於立即沖洗產品": the scope."""
    match = re.match(r"^限(?:使用|用)?於(?P<what>.+)$", clause)
    if match is None:
        return False
    tags = product_tags_zh(match.group("what"))
    if not tags.mapped or tags.other:
        parsed.keep(verbatim)
        return True
    if parsed.scope:
        inside = expand_scope(parsed.scope) & expand_scope(tags.tags)
        parsed.scope = [pt for pt in PRODUCT_TYPES if pt in inside]
    else:
        parsed.scope = list(tags.tags)
    if tags.approx:
        parsed.keep(verbatim)
    return True


_ELEMENTS = {"氟": "F", "汞": "Hg"}
_ELEMENT_GROUP = re.compile(
    rf"混合使用其他我國準用之(?P<what>.+?)化合物,\s*其(?P<elem>.+?)總(?:殘留)?量\s*"
    rf"(?:不得超過|為)\s*(?P<num>{NUM})\s*%"
)


def _element_group(parsed: ZhParse, clause: str, context: frozenset[str], verbatim: str) -> bool:
    """ "倘混合使用其他我國準用之氟化合物，其氟總量不得超過0.15%": a sum over the list."""
    match = _ELEMENT_GROUP.search(clause)
    if match is None:
        return False
    symbol = _ELEMENTS.get(match.group("elem").strip(), match.group("elem").strip())
    group = {
        "key": f"TFDA:total-{symbol}",
        "max_pct": number(match.group("num")),
        "expressed_as": symbol,
        "text": verbatim,
    }
    if all(g["key"] != group["key"] for g in parsed.groups):
        parsed.groups.append(group)
    return True


_IMPURITY_RE = re.compile(
    r"不純物|殘留量|殘留限量|純度標準|Purity criteria|亞硝胺限量|shall be below|不得檢出"
)
_PURITY_SPEC = re.compile(rf"^[^\u4e00-\u9fff]+<\s*(?:{NUM})\s*(?:ppm|mg/kg|%)$")


def impurity(parsed: ZhParse, clause: str, context: frozenset[str], verbatim: str) -> bool:
    """A residual impurity the finished product may hold: never a limit of the substance."""
    if not _IMPURITY_RE.search(clause) and not _PURITY_SPEC.match(clause):
        return False
    found = [m for m in VALUE_RE.finditer(clause) if m.group("cmp") not in ("≥", ">")]
    if not found and "不得檢出" not in clause:
        return False
    for match in found:
        ppm = to_ppm(number(match.group("num")), match.group("unit"))
        parsed.impurity_limit.append({"max_ppm": ppm, "text": verbatim})
    if not found:
        parsed.impurity_limit.append({"max_ppm": None, "not_detectable": True, "text": verbatim})
    return True


def _stated_limit(parsed: ZhParse, clause: str, context: frozenset[str], verbatim: str) -> bool:
    """ "限量：3%" and "用於唇用化粧品：限量1%，且限用游離酸態"."""
    match = re.match(
        r"^(?:用於(?P<where>.+?)\s*:\s*)?限量\s*:?\s*(?P<v>[^,]+?)(?:,\s*(?P<rest>.+))?$", clause
    )
    if match is None or not (value := VALUE_RE.fullmatch(match.group("v").strip())):
        return False
    applies: list[str] = []
    if match.group("where"):
        tags = product_tags_zh(match.group("where"))
        if not tags.mapped or tags.other:
            return False
        applies = list(tags.tags)
    pct = round(to_pct(number(value.group("num")), value.group("unit")), 10)
    parsed.limits.append({"max_pct": pct, "applies_to": applies, "text": verbatim})
    if match.group("rest"):
        parsed.keep(verbatim)
    return True


def _expressed(parsed: ZhParse, clause: str, context: frozenset[str], verbatim: str) -> bool:
    """ "(a)…之限量濃度是以Sodium hydroxide之重量計": expressed_as of the letter's limits."""
    match = re.search(r"是以\s*(?P<x>.+?)\s*之重量計$", clause)
    if match is None:
        return False
    hits = [
        lim
        for lim in parsed.limits
        if lim["applies_to"] and expand_scope(lim["applies_to"]) <= context
    ]
    for lim in hits:
        lim.setdefault("expressed_as", match.group("x"))
    if not hits:
        parsed.keep(verbatim)
    return True


def _see_also(parsed: ZhParse, clause: str, context: frozenset[str], verbatim: str) -> bool:
    """ "該成分作為非色素用途時，應適用化粧品成分使用限制表之規定": the other use is that
    list's business (the engine already looks up every list)."""
    if re.search(r"應適用.+?表之規定$", clause) is None:
        return False
    parsed.see_also.append(verbatim)
    return True


CLAUSE_READERS: tuple[Reader, ...] = (
    _children,
    _exclusion,
    _only_in,
    _element_group,
    impurity,
    _stated_limit,
    _expressed,
    _see_also,
)
