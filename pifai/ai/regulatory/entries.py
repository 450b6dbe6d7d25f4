"""Entries of the regulatory lists: one rule of one list, with its citation.

Scopes are written symbolically in the data files ("rinse_off", "mucous") and expanded
to product types here, once, so the rules compare sets of product types.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pifai.domain import LEAVE_ON, PRODUCT_TYPES, RINSE_OFF

# Symbolic scopes used by the data files and the limit parser.
SCOPE_TAGS: dict[str, frozenset[str]] = {
    "all": frozenset(PRODUCT_TYPES),
    "leave_on": LEAVE_ON,
    "rinse_off": RINSE_OFF,
    "hair": frozenset({"leave_on_hair", "rinse_off_hair"}),
    "skin": frozenset({"leave_on_face", "leave_on_body", "rinse_off_skin", "eye_area", "lip"}),
    "mucous": frozenset({"eye_area", "lip", "oral"}),
    "non_oral": frozenset(PRODUCT_TYPES) - {"oral"},
    "eye": frozenset({"eye_area"}),
    "face": frozenset({"leave_on_face"}),
    "body": frozenset({"leave_on_body"}),
    **{pt: frozenset({pt}) for pt in PRODUCT_TYPES},
}


def expand_scope(tags: Iterable[str]) -> frozenset[str]:
    """Product types covered by symbolic tags ("rinse_off", "mucous", "leave_on_face")."""
    out: set[str] = set()
    for tag in tags:
        known = SCOPE_TAGS.get(tag)
        if known is None:
            raise ValueError(f"unknown product-type scope {tag!r}")
        out |= known
    return frozenset(out)


@dataclass(frozen=True, slots=True)
class Limit:
    max_pct: float
    applies_to: frozenset[str] = frozenset()  # empty: every product type not named elsewhere
    expressed_as: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class GroupLimit:
    """A maximum for the sum of a group's members in one formula (parabens...)."""

    key: str
    max_pct: float
    expressed_as: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Disclosure:
    leave_on_pct: float
    rinse_off_pct: float

    def threshold(self, product_type: str) -> float:
        return self.rinse_off_pct if product_type in RINSE_OFF else self.leave_on_pct


def entry_key(authority: str, list_type: str, entry_ref: str) -> str:
    return f"{authority}:{list_type}:{entry_ref}"


@dataclass(frozen=True, slots=True, eq=False)
class RegEntry:
    """One entry of one list, with its rule and its citation."""

    key: str
    authority: str
    list_type: str
    entry_ref: str
    name: str
    names: tuple[str, ...]
    cas: tuple[str, ...]
    limits: tuple[Limit, ...] = ()
    scope: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()
    exempt: frozenset[str] = frozenset()
    except_listed: bool = False  # a prohibition "with the exception of" other annexes' entries
    children_prohibited: bool = False
    children_except: frozenset[str] = frozenset()
    function: str | None = None  # "preservative" | "non_preservative" | None (any use)
    groups: tuple[GroupLimit, ...] = ()
    disclosure: Disclosure | None = None
    conditions: str | None = None
    warnings: str | None = None
    cmr: str | None = None
    cmr_1a_1b: bool = False
    classification: Mapping[str, Any] = field(default_factory=dict)
    source: Mapping[str, Any] = field(default_factory=dict)
    verified: bool = False
    verification_note: str | None = None
    effective_date: date | None = None

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RegEntry:
        """From a data-file record or a store row (``rule`` holds the rule fields)."""
        rule: Mapping[str, Any] = record.get("rule") or {}
        authority = str(record["authority"])
        list_type = str(record["list_type"])
        entry_ref = str(record["entry_ref"])
        children = rule.get("children_under_3") or {}
        effective = record.get("effective_date")
        if isinstance(effective, str):
            effective = date.fromisoformat(effective)
        names = tuple(dict.fromkeys(str(n) for n in (record.get("names") or [record["name"]])))
        return cls(
            key=str(record.get("key") or entry_key(authority, list_type, entry_ref)),
            authority=authority,
            list_type=list_type,
            entry_ref=entry_ref,
            name=str(record["name"]),
            names=names,
            cas=tuple(record.get("cas") or record.get("cas_numbers") or ()),
            limits=_limits(rule),
            scope=expand_scope(rule.get("scope") or ()),
            excluded=expand_scope(rule.get("excluded") or ()),
            exempt=expand_scope(rule.get("exempt") or ()),
            except_listed=bool(rule.get("except_listed") or rule.get("except_where_permitted_by")),
            children_prohibited=bool(children.get("prohibited")),
            children_except=expand_scope(children.get("except") or ()),
            function=rule.get("function"),
            groups=_groups(rule),
            disclosure=_disclosure(rule),
            conditions=rule.get("conditions"),
            warnings=rule.get("warnings"),
            cmr=rule.get("cmr"),
            cmr_1a_1b=bool(rule.get("cmr_1a_1b")),
            classification=dict(rule) if list_type == "classification" else {},
            source=dict(record.get("source") or {}),
            verified=bool(record.get("verified")),
            verification_note=record.get("verification_note"),
            effective_date=effective if isinstance(effective, date) else None,
        )

    def citation(self) -> str:
        """ "TFDA 化粧品禁止使用成分表, entry 'Mercury...' (2024-03-21) [unverified]"."""
        doc = self.source.get("document") or f"{self.authority} {self.list_type} list"
        when = self.source.get("date")
        text = f"{self.authority} {self.entry_ref}: {doc}"
        if when:
            text += f", dated {when}"
        if not self.verified:
            text += " [unverified: see source]"
        return text

    def data_version(self) -> str:
        """The version of the data this entry was read from: its list and that list's
        export or document date, e.g. "EU CosIng Annex V export 09/09/2026"."""
        return data_version(self.authority, self.list_type, self.entry_ref, self.source)

    def citation_detail(self) -> dict[str, Any]:
        return {
            "authority": self.authority,
            "list_type": self.list_type,
            "entry_ref": self.entry_ref,
            "entry_name": self.name,
            "document": self.source.get("document"),
            "date": self.source.get("date"),
            "effective_date": self.effective_date.isoformat() if self.effective_date else None,
            "source": dict(self.source),
            "verified": self.verified,
            "verification_note": self.verification_note,
            "data_version": self.data_version(),
        }

    def applicable_limit(self, product_type: str) -> Limit | None:
        """The limit for this product type: the specific ones first, then the generic one."""
        specific = [lim for lim in self.limits if product_type in lim.applies_to]
        if specific:
            return min(specific, key=lambda lim: lim.max_pct)
        generic = [lim for lim in self.limits if not lim.applies_to]
        return min(generic, key=lambda lim: lim.max_pct) if generic else None


def _limits(rule: Mapping[str, Any]) -> tuple[Limit, ...]:
    return tuple(
        Limit(
            max_pct=float(item["max_pct"]),
            applies_to=expand_scope(item.get("applies_to") or ()),
            expressed_as=item.get("expressed_as"),
            text=item.get("text"),
        )
        for item in rule.get("limits") or ()
        if item.get("max_pct") is not None
    )


def _groups(rule: Mapping[str, Any]) -> tuple[GroupLimit, ...]:
    return tuple(
        GroupLimit(
            key=str(g["key"]),
            max_pct=float(g["max_pct"]),
            expressed_as=g.get("expressed_as"),
            text=g.get("text"),
        )
        for g in rule.get("groups") or ()
    )


def _disclosure(rule: Mapping[str, Any]) -> Disclosure | None:
    disclosure = rule.get("disclosure")
    if not disclosure:
        return None
    return Disclosure(float(disclosure["leave_on_pct"]), float(disclosure["rinse_off_pct"]))


_FILE_CREATED = re.compile(r"file created (\d{2}/\d{2}/\d{4})")
_LAST_UPDATE = re.compile(r"last update (\d{2}/\d{2}/\d{4})")
_ANNEX = re.compile(r"\bAnnex ([IVX]+)\b")
_LIST_NAMES = {
    "prohibited": "prohibited list",
    "restricted": "restricted list",
    "preservative": "preservative list",
    "colorant": "colorant list",
    "uv_filter": "UV filter list",
    "classification": "classification list",
}


def data_version(authority: str, list_type: str, entry_ref: str, source: Mapping[str, Any]) -> str:
    """Which list, as of which date, an entry was read from.

    An explicit ``source.data_version`` wins. A CosIng export names its file creation
    date in ``document`` ("EU CosIng Annex V export 09/09/2026"); TFDA open data says so
    in its ``document`` or ``dataset`` ("TFDA open data preservative list 2026-06-25");
    otherwise the list and the date the source gives (``export_date``, ``published``,
    then ``date``), or "undated"."""
    explicit = source.get("data_version")
    if explicit:
        return str(explicit)
    document = str(source.get("document") or "")
    list_name = _LIST_NAMES.get(list_type, f"{list_type} list")
    if "CosIng" in document:
        annex = _ANNEX.search(entry_ref) or _ANNEX.search(document)
        export = f"EU CosIng Annex {annex.group(1)}" if annex else "EU CosIng"
        if created := _FILE_CREATED.search(document):
            export += f" export {created.group(1)}"
        elif updated := _LAST_UPDATE.search(document):
            export += f" export, annex last update {updated.group(1)}"
        else:
            export += " export (undated)"
        return export if authority == "EU" else f"{authority} {list_name} (from {export})"
    when = source.get("export_date") or source.get("published") or source.get("date")
    described = f"{document} {source.get('dataset') or ''}".lower()
    if authority == "TFDA" and ("open data" in described or "data.fda.gov.tw" in described):
        label = f"TFDA open data {list_name}"
    else:
        label = f"{authority} {list_name}"
    return f"{label} {when}" if when else f"{label} (undated)"
