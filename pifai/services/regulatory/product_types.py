"""Product types named in the free text of the EU annexes ("Face products", "Rinse-off
skin and hair products", "All cosmetic products, with the exception of oral products"),
mapped onto the engine's product types (pifai.domain.PRODUCT_TYPES).

The annexes name finer categories than the engine knows (body lotion, deodorant, face
make-up). Each maps onto the engine's type that contains it, so a product type gets the
strictest limit of the categories inside it: conservative, never lenient. Categories that
are a special case the engine cannot tell from the product type (sprays and aerosols,
wipes for the anogenital area, products for young children, self-tanning and depilatory
products) map to nothing: the caller keeps them as text, noted, never enforced.
"""

from __future__ import annotations

import re

from pifai.ai.regulatory import expand_scope
from pifai.domain import PRODUCT_TYPES

# A category the engine cannot express: the limit stays text (see the module docstring).
UNEXPRESSIBLE = "unexpressible"

_SPECIAL = re.compile(
    r"(?<!non-)(?<!non )\b(spray|aerosol|propellant|pump)\b|anogenital|baby wipes|intimate wipes"
    r"|children|infant|6 months|self-tanning|depilator|callosity|tooth whitening|professional"
)
_ALL = re.compile(r"\ball (cosmetic )?products\b|\ball cosmetics\b")
_OTHER = re.compile(r"^(all )?(other|others)\b[^,;]*\b(products?|produts|uses?)\b")
_EXCEPT = re.compile(r"\bexcept\b|\bexcluding\b|\bwith the exception of\b|\bother than\b")

# (pattern, tags) tried in order on the category text; every match adds its tags.
_WORDS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = tuple(
    (re.compile(pattern), tags)
    for pattern, tags in (
        (r"\boral\b|tooth|mouth ?(wash|rinse)|dentifrice", ("oral",)),
        (r"\beye|eyelash|eyebrow|mascara|eyeliner", ("eye_area",)),
        (r"\blip", ("lip",)),
        (r"\bnail|cuticle", ("nail",)),
        (r"mucous", ("mucous",)),
    )
)
_HAIR = re.compile(r"\bhair|shampoo|\bhead\b|dandruff")
_SKIN_BODY = re.compile(
    r"\bbody|\bhand|\bfoot|deodorant|antiperspirant|anti-perspirant|fragrance|eau de|perfume"
    r"|astringent|shower|bath|soap|\bwash"
)
_FACE = re.compile(r"\bface|\bfacial")
_MAKE_UP = re.compile(r"make ?-?up")
_SKIN = re.compile(r"\bskin\b")


def _clean(text: str) -> str:
    low = (text or "").lower().replace("\u00ad", "").replace("­", "")
    low = re.sub(r"\s*-\s*", "-", " ".join(low.split()))
    return low.strip(" .;:")


def product_tags(text: str) -> list[str] | None:
    """Product-type tags named by one category's text; [] for "other products"; None when
    the text names no product type; [UNEXPRESSIBLE] for a category the engine cannot tell
    from the product type (a spray, wipes, young children)."""
    low = _clean(text)
    if not low:
        return None
    parts = _EXCEPT.split(low, maxsplit=1)
    main, excepted = parts[0].strip(" ,("), parts[1] if len(parts) > 1 else ""
    if _SPECIAL.search(main) and not re.search(r"\bincluding\b|\bnon-spray\b", main):
        return [UNEXPRESSIBLE]
    if _ALL.search(main):
        removed = set(expand_scope(product_tags(excepted) or [])) if excepted else set()
        return [pt for pt in PRODUCT_TYPES if pt not in removed]
    if _OTHER.search(main) and not re.search(r"rinse|leave|oral|hair|face|body|lip|eye", main):
        return []
    return _named(main) or None


def _named(main: str) -> list[str]:
    tags: list[str] = []
    for pattern, found in _WORDS:
        if pattern.search(main):
            tags.extend(found)
    if _MAKE_UP.search(main) and not tags and not _FACE.search(main):
        # Make-up is face make-up unless the text names the eyes, lips or nails.
        main = f"{main} face"
    rinse = bool(re.search(r"rinse|shampoo|shower|bath|soap|\bwash", main))
    leave = bool(re.search(r"leave", main))
    hair = bool(_HAIR.search(main))
    skin = bool(_SKIN.search(main) or _SKIN_BODY.search(main) or _FACE.search(main))
    if rinse:
        if hair:
            tags.append("rinse_off_hair")
        if skin or not hair:
            tags.append("rinse_off_skin" if skin else "rinse_off")
    if leave or (not rinse and (hair or skin)):
        if hair and (leave or "lotion" in main or "spray" in main):
            tags.append("leave_on_hair")
        elif hair and not leave:
            tags.append("hair")
        if _FACE.search(main):
            tags.append("leave_on_face")
        if _SKIN_BODY.search(main) and not rinse:
            tags.append("leave_on_body")
        if _SKIN.search(main) and not _FACE.search(main) and not _SKIN_BODY.search(main):
            tags.extend(("leave_on_face", "leave_on_body"))
        if leave and not (hair or skin):
            tags.append("leave_on")
    return list(dict.fromkeys(tags))
