"""An account: a user or an organization, as `GET /account` returns it and as a deployment
release's `created_by`."""

from typing import Optional, Union

from typing_extensions import Literal

from .._base.models import BaseModel

AccountType = Literal["organization", "user"]


class Account(BaseModel):
    """The user or organization an API token belongs to (or that made a deployment release)."""

    type: Union[AccountType, str]
    username: str
    name: Optional[str] = None
    avatar_url: Optional[str] = None
    github_url: Optional[str] = None
