"""Items 9 and 10 per ingredient: what each source says, endpoint by endpoint, and where
a source had nothing, which source and why ("[no data in PubChem]", "[source
unavailable]"), never a bare "not found".

Pure: built from the cached source answers (PubChem, ECHA) and the shipped reference
records. H-codes are sorted into endpoints by the GHS hazard classes they belong to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pifai.ai.toxicology import echa, pubchem, reference
from pifai.ai.toxicology.sources import UNAVAILABLE, SourceResult, SourceStatus

# Item 10's endpoints, in the order the report prints them, with their zh-TW and en labels.
ENDPOINTS: dict[str, tuple[str, str]] = {
    "acute_toxicity": ("急毒性", "Acute toxicity"),
    "skin_irritation": ("皮膚刺激性/腐蝕性", "Skin irritation / corrosion"),
    "eye_irritation": ("眼睛刺激性", "Eye irritation"),
    "sensitisation": ("致敏性", "Sensitisation"),
    "repeated_dose": ("重複劑量毒性", "Repeated-dose toxicity"),
    "genotoxicity": ("基因毒性", "Genotoxicity"),
    "carcinogenicity": ("致癌性", "Carcinogenicity"),
    "reproductive_toxicity": ("生殖毒性", "Reproductive toxicity"),
}

# GHS hazard statements by hazard class (UN GHS Annex 3): the first three characters of
# the code decide the endpoint. H370-H373 (target organ toxicity) belong to repeated dose
# only for H372/H373 (repeated exposure); H370/H371 are single exposure, i.e. acute.
_H_ENDPOINTS: dict[str, str] = {
    **{c: "acute_toxicity" for c in ("H300", "H301", "H302", "H304", "H310", "H311", "H312")},
    **{c: "acute_toxicity" for c in ("H330", "H331", "H332", "H370", "H371")},
    "H314": "skin_irritation",
    "H315": "skin_irritation",
    "H318": "eye_irritation",
    "H319": "eye_irritation",
    "H317": "sensitisation",
    "H334": "sensitisation",
    "H372": "repeated_dose",
    "H373": "repeated_dose",
    "H340": "genotoxicity",
    "H341": "genotoxicity",
    "H350": "carcinogenicity",
    "H351": "carcinogenicity",
    "H360": "reproductive_toxicity",
    "H361": "reproductive_toxicity",
    "H362": "reproductive_toxicity",
}

# Words in a reference record's endpoint that say which item-10 endpoint it informs.
_RECORD_ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("development", "reproductive_toxicity"),
    ("reproduct", "reproductive_toxicity"),
    ("generation", "reproductive_toxicity"),
    ("carcino", "carcinogenicity"),
    ("genotox", "genotoxicity"),
    ("mutagen", "genotoxicity"),
    ("sensiti", "sensitisation"),
    ("irritat", "skin_irritation"),
    ("acute", "acute_toxicity"),
)

SOURCE_NAMES = {
    pubchem.SOURCE: "PubChem",
    echa.SOURCE: "ECHA CHEM",
    "reference": "shipped reference data (pifai/data/toxicology)",
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One source's statement on one endpoint."""

    text: str
    source: str
    url: str | None = None
    verified: bool | None = None  # None: read from a live source, not a curated record

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "source": self.source,
            "url": self.url,
            "verified": self.verified,
        }


@dataclass(slots=True)
class Profile:
    """One ingredient's items 9 and 10."""

    ingredient: str
    physchem: dict[str, Any] | None
    physchem_basis: str
    endpoints: dict[str, list[Finding]] = field(default_factory=dict)
    gaps: dict[str, list[str]] = field(default_factory=dict)
    conclusions: list[Finding] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)

    @property
    def endpoints_with_data(self) -> int:
        return sum(1 for key in ENDPOINTS if self.endpoints.get(key))

    def to_dict(self) -> dict[str, Any]:
        return {
            "ingredient": self.ingredient,
            "physchem": self.physchem,
            "physchem_basis": self.physchem_basis,
            "endpoints": [
                {
                    "endpoint": key,
                    "label_zh": zh,
                    "label_en": en,
                    "findings": [f.to_dict() for f in self.endpoints.get(key, [])],
                    "gaps": list(self.gaps.get(key, [])),
                }
                for key, (zh, en) in ENDPOINTS.items()
            ],
            "conclusions": [c.to_dict() for c in self.conclusions],
            "sources_unavailable": list(self.unavailable),
        }


def endpoint_of(h_code: str) -> str | None:
    return _H_ENDPOINTS.get(h_code[:4].upper())


def _gap(source: str, result: SourceResult | None) -> str:
    name = SOURCE_NAMES[source]
    if result is None:
        return f"[no data in {name}: no answer on record (not queried yet, or it was unavailable)]"
    if result.status is SourceStatus.unavailable:
        return f"{UNAVAILABLE}: {name}"
    if result.status is SourceStatus.not_found:
        return f"[no data in {name}: the substance is not in it]"
    if source == echa.SOURCE and not result.data.get("harmonised"):
        return f"[no data in {name}: no harmonised classification]"
    return f"[no data in {name}]"


def _pubchem_findings(result: SourceResult) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    url = result.data.get("url")
    for entry in result.data.get("ghs") or []:
        contributor = entry.get("source") or "a PubChem contributor"
        for hazard in entry.get("hazards") or []:
            code = hazard.get("code")
            for single in str(code or "").split("+"):
                endpoint = endpoint_of(single) if single else None
                if endpoint is None:
                    continue
                finding = Finding(
                    str(hazard.get("text") or single),
                    f"PubChem GHS classification, notified by {contributor}",
                    url,
                )
                if finding not in out.setdefault(endpoint, []):
                    out[endpoint].append(finding)
    return out


def _echa_findings(result: SourceResult) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    url = result.data.get("url")
    for classification in result.data.get("classifications") or []:
        hazard_class = str(classification.get("hazard_class") or "")
        for code in classification.get("h_codes") or []:
            endpoint = endpoint_of(str(code))
            if endpoint is not None:
                text = f"{hazard_class} ({code})" if hazard_class else str(code)
                out.setdefault(endpoint, []).append(
                    Finding(text, "ECHA CHEM, harmonised classification (CLP Annex VI)", url)
                )
    return out


def _record_endpoint(endpoint_text: str) -> str:
    lowered = endpoint_text.lower()
    for word, endpoint in _RECORD_ENDPOINTS:
        if word in lowered:
            return endpoint
    return "repeated_dose"


def _cite(source: reference.Source) -> str:
    return ", ".join(str(p) for p in (source.document, source.number, source.year) if p)


def _reference_findings(
    name: str | None, cas: str | None
) -> tuple[dict[str, list[Finding]], list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for record in reference.noael_for(name, cas):
        what = f"{record.kind.upper()} {record.value:g} {record.unit}"
        details = ", ".join(p for p in (record.species, record.route, record.study) if p)
        text = f"{what} ({details})" if details else what
        out.setdefault(_record_endpoint(record.endpoint or ""), []).append(
            Finding(text, _cite(record.source), record.source.url, record.verified)
        )
    conclusions = [
        Finding(
            c.quote or c.kind,
            f"{c.authority}: {_cite(c.source)}",
            c.source.url,
            c.verified,
        )
        for c in reference.conclusions_for(name, cas)
    ]
    return out, conclusions


def _physchem(result: SourceResult | None) -> tuple[dict[str, Any] | None, str]:
    if result is None or result.status is not SourceStatus.found:
        return None, _gap(pubchem.SOURCE, result)
    data = result.data
    values = {
        "cid": data.get("cid"),
        "iupac_name": data.get("iupac_name"),
        "molecular_formula": data.get("molecular_formula"),
        "molecular_weight": data.get("molecular_weight"),
        "xlogp": data.get("xlogp"),
        "smiles": data.get("smiles"),
        "appearance": None,
        "solubility": None,
        "source": f"PubChem CID {data.get('cid')}",
        "url": data.get("url"),
    }
    missing = [
        k for k in ("molecular_weight", "xlogp", "appearance", "solubility") if not values[k]
    ]
    basis = f"PubChem CID {data.get('cid')} (computed properties)"
    if missing:
        basis += f"; [no data in PubChem for {', '.join(missing)} in the properties queried]"
    return values, basis


def build_profile(
    ingredient: str,
    cas: str | None,
    answers: Mapping[str, SourceResult],
    *,
    name: str | None = None,
    sources: Sequence[str] = (pubchem.SOURCE, echa.SOURCE),
) -> Profile:
    """``answers`` holds what each live source said of the ingredient (absent: never
    asked); the shipped reference records are looked up by ``name`` and ``cas``."""
    physchem, basis = _physchem(answers.get(pubchem.SOURCE))
    by_source: dict[str, dict[str, list[Finding]]] = {}
    for source in sources:
        result = answers.get(source)
        if result is None or result.status is not SourceStatus.found:
            by_source[source] = {}
        elif source == pubchem.SOURCE:
            by_source[source] = _pubchem_findings(result)
        elif source == echa.SOURCE:
            by_source[source] = _echa_findings(result)
    by_source["reference"], conclusions = _reference_findings(name, cas)
    profile = Profile(ingredient, physchem, basis, conclusions=conclusions)
    profile.unavailable = [
        f"{UNAVAILABLE}: {SOURCE_NAMES[s]}"
        for s in sources
        if (r := answers.get(s)) is not None and r.status is SourceStatus.unavailable
    ]
    for endpoint in ENDPOINTS:
        for source, findings in by_source.items():
            found = findings.get(endpoint, [])
            if found:
                profile.endpoints.setdefault(endpoint, []).extend(found)
            else:
                gap = _gap(source, answers.get(source)) if source != "reference" else None
                profile.gaps.setdefault(endpoint, []).append(
                    gap or f"[no data in {SOURCE_NAMES['reference']}]"
                )
    return profile
