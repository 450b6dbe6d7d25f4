"""The domain's shared vocabulary: product types, regulatory list types, PIF item numbers.

Every layer may import this module (it imports nothing of ours), so the products table's
CHECK constraint, the API schemas and the rule engine spell these names the same way.
"""

from __future__ import annotations

from typing import Literal, get_args

# The rule and safety engines key exposure values and limits on these names.
ProductType = Literal[
    "leave_on_face",
    "leave_on_body",
    "leave_on_hair",
    "rinse_off_skin",
    "rinse_off_hair",
    "eye_area",
    "lip",
    "oral",
    "nail",
]
PRODUCT_TYPES: tuple[str, ...] = get_args(ProductType)
RINSE_OFF = frozenset({"rinse_off_skin", "rinse_off_hair"})
LEAVE_ON = frozenset(PRODUCT_TYPES) - RINSE_OFF - {"oral"}

# The lists an ingredient can be on (TFDA's five and the EU annexes they mirror).
LIST_TYPES = ("prohibited", "restricted", "preservative", "colorant", "uv_filter")
POSITIVE_LISTS = ("preservative", "colorant", "uv_filter")

# A PIF has 16 items (Article 8 of the Act; DOMAIN.md, "The 16 items of a PIF").
ITEM_NUMBERS = range(1, 17)
