"""The structured content of each PIF item, validated per item (PUT .../pif/{item}).

Fields a machine filled carry an entry in ``provenance`` under the field's name: the
confidence, where it was read (file, page, the text matched) and how (``rule``, ``llm``,
``operator``). An operator's edit of a field makes it the operator's (see
``services.pif.items.update_item``). Dates are ISO dates; reports written in the ROC
calendar (民國113年5月2日) are converted when read."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from pifai.schemas.base import RequestModel

Text200 = Annotated[str, Field(max_length=200)]
Text500 = Annotated[str, Field(max_length=500)]
Text2000 = Annotated[str, Field(max_length=2000)]
Celsius = Annotated[float, Field(ge=-80, le=400)]


class _Content(RequestModel):
    """Item content an operator writes (PUT .../pif/{item_number})."""


class FieldSource(_Content):
    """Where a machine-filled field was read and how sure the reader is."""

    confidence: Annotated[float, Field(ge=0, le=1)]
    method: Literal["rule", "llm", "operator"]
    source: Text500 | None = None  # "file <name>, page 2: 'Test date: 2024-05-02'"
    needs_review: bool = False


class _Extracted(_Content):
    provenance: dict[Annotated[str, Field(max_length=100)], FieldSource] = Field(
        default_factory=dict, max_length=100
    )


class GenericContent(_Content):
    """Items without a form of their own: notes and references to their files."""

    notes: Text2000 | None = None
    references: list[Text200] = Field(default_factory=list, max_length=50)


class Item1Content(_Content):
    """Product basic data (also kept on the product row)."""

    name: Annotated[str, Field(min_length=1, max_length=500)]
    name_en: Annotated[str, Field(max_length=500)] | None = None
    category: Annotated[str, Field(max_length=100)] | None = None
    dosage_form: Annotated[str, Field(max_length=100)] | None = None
    intended_use: Text2000 | None = None
    manufacturer_name: Annotated[str, Field(max_length=300)] | None = None
    manufacturer_address: Text500 | None = None
    notification_number: Annotated[str, Field(max_length=40)] | None = None


class Item2Content(_Extracted):
    """Product notification evidence (TFDA cosmetic product notification)."""

    notification_number: Annotated[str, Field(max_length=40)] | None = None
    notified_on: date | None = None
    notes: Text2000 | None = None


class LabelMark(_Content):
    """A mark on the label (a certification logo, a symbol); ``image_only`` when it has
    no text of its own."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    image_only: bool = False


class Item4Content(_Extracted):
    """Label, leaflet and outer packaging: what the label says (the Art 7 elements as
    read, the ingredient list in label order, claims, warnings and marks)."""

    product_name: Text500 | None = None
    label_text: Annotated[str, Field(max_length=20000)] | None = None
    ingredient_list: list[Text200] = Field(default_factory=list, max_length=300)
    claims: list[Text500] = Field(default_factory=list, max_length=100)
    warnings: list[Text500] = Field(default_factory=list, max_length=100)
    usage: Text2000 | None = None
    net_content: Text200 | None = None
    use: Text500 | None = None
    storage: Text500 | None = None
    manufacturer: Text500 | None = None
    importer: Text500 | None = None
    address: Text500 | None = None
    phone: Text200 | None = None
    origin: Text200 | None = None
    manufacture_date: Text200 | None = None
    expiry_date: Text200 | None = None
    shelf_life: Text200 | None = None
    batch: Text200 | None = None
    marks: list[LabelMark] = Field(default_factory=list, max_length=50)


class Item5Content(_Extracted):
    """GMP evidence of the manufacturing site, with its validity."""

    standard: Literal["ISO 22716", "TFDA GMP", "other"] | None = None
    certificate_number: Text200 | None = None
    issuer: Text200 | None = None
    site_address: Text500 | None = None
    valid_from: date | None = None  # the issue date
    valid_until: date | None = None  # the expiry date
    notes: Text2000 | None = None

    @model_validator(mode="after")
    def _expires_after_issue(self) -> Item5Content:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until (the expiry date) is before valid_from (the issue date)")
        return self


class ProcessStage(_Content):
    name: Text200
    steps: list[Text500] = Field(default_factory=list, max_length=100)
    max_temperature_c: Celsius | None = None
    critical_controls: list[Text500] = Field(default_factory=list, max_length=50)


class Item6Content(_Extracted):
    """Manufacturing method and process."""

    stages: list[ProcessStage] = Field(default_factory=list, max_length=50)
    max_temperature_c: Celsius | None = None
    notes: Text2000 | None = None


class Item7Content(_Content):
    """Usage: method, body site, amount, frequency, target population, warnings."""

    method: Annotated[str, Field(min_length=1, max_length=2000)]
    body_sites: list[Text200] = Field(min_length=1, max_length=20)
    amount_per_use_g: Annotated[float, Field(gt=0, le=1000)] | None = None
    applications_per_day: Annotated[float, Field(gt=0, le=50)] | None = None
    target_population: Text200
    warnings: list[Text500] = Field(default_factory=list, max_length=50)


class AdverseReaction(_Content):
    reported_on: date  # when the company learnt of it
    description: Annotated[str, Field(min_length=1, max_length=2000)]
    severity: Literal["mild", "moderate", "severe"]
    serious: bool = False  # a serious adverse effect in the Act's sense
    classification: Text200 | None = None
    authority_reported_on: date | None = None  # notified to the TFDA
    outcome: Text2000 | None = None


class Item8Content(_Content):
    """Adverse reaction data, or the statement that there are none."""

    has_reports: bool
    statement: Annotated[str, Field(min_length=1, max_length=2000)]
    reports: list[AdverseReaction] = Field(default_factory=list, max_length=500)


class _TestReport(_Extracted):
    laboratory: Text200 | None = None
    report_number: Text200 | None = None
    method: Text500 | None = None
    test_date: date | None = None
    issued_on: date | None = None
    result: Text2000 | None = None
    passed: bool | None = None


class StabilityCondition(_Content):
    temperature_c: Celsius | None = None
    humidity_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    duration_days: Annotated[int, Field(ge=0, le=3650)] | None = None
    light: bool | None = None


class Item11Content(_TestReport):
    """Stability test report."""

    conditions: list[StabilityCondition] = Field(default_factory=list, max_length=20)
    containers_tested: list[Text200] = Field(default_factory=list, max_length=20)


class MicrobialLimit(_Content):
    organism: Text200
    limit: Text200 | None = None
    result: Text200 | None = None
    passed: bool | None = None


class Item12Content(_TestReport):
    """Microbiological test report."""

    limits: list[MicrobialLimit] = Field(default_factory=list, max_length=30)


class Item13Content(_TestReport):
    """Preservative efficacy (challenge) test report."""

    standard: Text200 | None = None  # "ISO 11930"
    criterion: Literal["A", "B"] | None = None


EvidenceType = Literal[
    "clinical", "patch_test", "in_vitro", "consumer_test", "literature", "instrumental", "other"
]


class EfficacyClaim(_Content):
    claim: Text500
    evidence_type: EvidenceType | None = None
    evidence: Text2000 | None = None
    file_ids: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=20
    )


class Item14Content(_Extracted):
    """Evidence for efficacy claims."""

    claims: list[EfficacyClaim] = Field(default_factory=list, max_length=100)


MaterialClass = Literal["plastic", "glass", "metal", "silicone", "paper", "rubber", "other"]


class PackagingComponent(_Content):
    component: Text200  # bottle, pump, cap, tube ...
    material: Text200 | None = None  # PP, PET, aluminium, soda-lime glass ...
    material_class: MaterialClass | None = None
    product_contact: bool = True


class Item15Content(_Extracted):
    """Packaging materials in contact with the product."""

    components: list[PackagingComponent] = Field(default_factory=list, max_length=50)
    notes: Text2000 | None = None


class Item16Content(GenericContent):
    """The product safety assessment: the SA's final text (written through the review and
    frozen with the signature); the engine's draft is kept beside it."""

    final_assessment: Annotated[str, Field(max_length=50_000)] | None = None


ITEM_CONTENT_SCHEMAS: dict[int, type[BaseModel]] = {
    0: GenericContent,
    1: Item1Content,
    2: Item2Content,
    4: Item4Content,
    5: Item5Content,
    6: Item6Content,
    7: Item7Content,
    8: Item8Content,
    11: Item11Content,
    12: Item12Content,
    13: Item13Content,
    14: Item14Content,
    15: Item15Content,
    16: Item16Content,
}
