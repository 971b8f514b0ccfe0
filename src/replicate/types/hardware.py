"""Hardware: the SKUs models and deployments can run on, as `GET /hardware` lists them."""

from typing import List, Optional

from .._base.models import BaseModel


class Hardware(BaseModel):
    """One kind of hardware: `sku` is what `models.create` and deployments take."""

    name: Optional[str] = None
    sku: Optional[str] = None


HardwareListResponse = List[Hardware]
"""`GET /hardware` answers with a bare JSON list, not a page."""
