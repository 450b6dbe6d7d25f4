"""A product's safety assessment: the engine on its stored formula (``assessment``), the
task that keeps the result (``task``) and the drafts of items 9, 10 and 16 (``drafts``)."""

from pifai.services.safety.assessment import (
    TOXICOLOGY_DATA,
    assess_product,
    exposure_category_list,
    latest_assessment_for_org,
    record_assessment,
)
from pifai.services.safety.task import SAFETY_JOB, request_assessment, safety_assess

__all__ = [
    "SAFETY_JOB",
    "TOXICOLOGY_DATA",
    "assess_product",
    "exposure_category_list",
    "latest_assessment_for_org",
    "record_assessment",
    "request_assessment",
    "safety_assess",
]
