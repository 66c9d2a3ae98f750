"""Privacy API schemas (shop/api/privacy.py, DELETE /me in shop/api/accounts.py)."""

from ninja import Schema
from pydantic import Field


class PasswordConfirmIn(Schema):
    password: str = Field(min_length=1, max_length=256, description="The account's password.")
