"""API shapes of accounts."""

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
    must_change_password: bool = Field(
        description="the password was set by the security admin: until the user changes it "
        "(POST /auth/password), a sign-in may do nothing else"
    )


class UserWithPasswordOut(UserOut):
    temporary_password: str | None = Field(
        None,
        description="the password generated for the user, shown this once (null when the "
        "security admin gave one); it must be changed at first sign-in",
    )


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds until the token ends at the latest")
    user: UserOut


_TEMPORARY = "a temporary password, to be changed at first sign-in; omitted: one is generated"


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64)
    display_name: str | None = Field(None, max_length=100)
    password: str | None = Field(None, min_length=1, max_length=256, description=_TEMPORARY)
    role: Role
    scope: list[str] = Field(default_factory=list, description="unit codes; empty: the district")
    department: str | None = Field(None, description="department code, for department handlers")


class PasswordReset(BaseModel):
    password: str | None = Field(None, min_length=1, max_length=256, description=_TEMPORARY)


class RoleChange(BaseModel):
    role: Role
    scope: list[str] = Field(default_factory=list, description="unit codes; empty: the district")
    department: str | None = Field(None, description="department code, for department handlers")


class PasswordChange(BaseModel):
    old_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)
