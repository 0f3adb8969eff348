"""Company bodies and responses (API.md 2 `Company`, 7); string limits per API.md 1.1."""

from typing import Annotated

from pydantic import StringConstraints, field_validator

from intowork.core.schemas import HttpUrlStr, Name, RequestSchema, ResponseSchema

# Capped at the column width where it is narrower than API.md 1.1's class (`size` is 50): a longer
# value must be a 422, never a database error.
LongText = Annotated[str, StringConstraints(max_length=20_000)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
PlaceName = Annotated[str, StringConstraints(max_length=100)]
SizeText = Annotated[str, StringConstraints(max_length=50)]


class CompanyFields(RequestSchema):
    description: LongText | None = None
    industry: ShortText | None = None
    size: SizeText | None = None
    website_url: HttpUrlStr | None = None
    linkedin_url: HttpUrlStr | None = None
    address: ShortText | None = None
    city: PlaceName | None = None
    country: PlaceName | None = None
    logo_url: HttpUrlStr | None = None


class CompanyCreate(CompanyFields):
    name: Name


class CompanyUpdate(CompanyFields):
    """Partial: only the keys sent change; a sent null clears a field, except `name`."""

    name: Name | None = None

    @field_validator("name")
    @classmethod
    def name_not_null(cls, value: str | None) -> str:
        # Runs only when `name` was sent: omitted keeps the name, null is refused.
        if value is None:
            raise ValueError("name may not be null")
        return value


class CompanyResponse(ResponseSchema):
    id: int
    name: str
    description: str | None
    industry: str | None
    size: str | None
    website_url: str | None
    linkedin_url: str | None
    address: str | None
    city: str | None
    country: str | None
    logo_url: str | None


class PublicCompanyResponse(CompanyResponse):
    published_jobs_count: int


class CompanyStats(ResponseSchema):
    active_jobs: int
    total_jobs: int
    total_applications: int
    total_employers: int
