"""/api/v1/pif/item-schemas: what each item's ``content`` may hold, as JSON Schema."""

from __future__ import annotations

from fastapi import APIRouter, Response

from pifai.api.deps import CurrentPrincipal, TransactionalRoute
from pifai.schemas.pif import ItemContentSchema
from pifai.schemas.pif_content import ITEM_CONTENT_SCHEMAS
from pifai.services import pif

router = APIRouter(prefix="/pif", tags=["pif"], route_class=TransactionalRoute)

# Reference data that changes only with a new release of the server.
CACHE_CONTROL = "private, max-age=3600"


@router.get("/item-schemas", response_model=list[ItemContentSchema])
async def item_schemas(user: CurrentPrincipal, response: Response) -> list[ItemContentSchema]:
    """The JSON Schema of each of the 16 items' content (the model PUT
    /products/{id}/pif/{item_number} validates it with), so that a client can build the
    item's form: `content` is a free object in the item's own schema because its shape
    depends on the item number. Item 3's formula is edited through its own endpoints."""
    response.headers["Cache-Control"] = CACHE_CONTROL
    schemas = pif.content_json_schemas()
    return [
        ItemContentSchema(
            item_number=number,
            name_zh=definition.name_zh,
            name_en=definition.name_en,
            has_form=number in ITEM_CONTENT_SCHEMAS,
            content_schema=schemas[number],
        )
        for number, definition in pif.ITEMS.items()
    ]
