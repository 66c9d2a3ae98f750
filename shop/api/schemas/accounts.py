"""Accounts API schemas: the output schemas are the whitelist of fields that leave."""

from typing import Any

from ninja import Schema
from pydantic import Field


class RegisterIn(Schema):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=256)
    name: str = Field(min_length=1, max_length=150)


class TokenIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)


class RefreshIn(Schema):
    refresh: str = Field(min_length=1, max_length=200)


class TokenPairOut(Schema):
    access: str
    refresh: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name
    expires_in: int = Field(description="Seconds until the access token expires.")


class RegisteredOut(Schema):
    """What registering answers, the same whether the address was new or had an account
    already (its owner is emailed instead): the id is a random one in both cases (the new
    account's own, or one made up on the spot), so nothing tells the two apart."""

    id: str = Field(description="The account's opaque id, as GET /me shows it.")
    email: str
    name: str
    detail: str


class UserOut(Schema):
    id: str = Field(description="The account's opaque id.")
    email: str
    name: str

    @staticmethod
    def resolve_id(user: Any) -> str:
        return str(user.public_id)
