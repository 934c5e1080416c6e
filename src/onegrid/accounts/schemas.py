"""API shapes of accounts."""

from datetime import datetime

from pydantic import BaseModel, Field

from onegrid.core.permissions import Role


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class UserOut(BaseModel):
    username: str
    display_name: str
    role: Role
    district_code: str
    scope: list[str] = Field(description="territory unit codes the user may see")
    department: str | None = None
    is_active: bool
    is_demo: bool
    locked_until: datetime | None = None


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds until the token ends at the latest")
    user: UserOut


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: str | None = Field(None, max_length=100)
    password: str = Field(min_length=1, max_length=256)
    role: Role
    scope: list[str] = Field(default_factory=list, description="unit codes; empty: the district")
    department: str | None = Field(None, description="department code, for department handlers")


class PasswordReset(BaseModel):
    password: str = Field(min_length=1, max_length=256)
