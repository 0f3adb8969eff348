"""The jobs' typed read models (issue 19): each row type is built by position from its SELECT,
so their names must line up, and the response schemas validate from the rows' attributes."""

import dataclasses
from datetime import UTC, datetime

from intowork.jobs import repository
from intowork.jobs.repository import JobDetailRow, JobItemRow, RowSelect
from intowork.jobs.schemas import JobDetailResponse, JobItem, JobResponse
from intowork.models.enums import JobLocation, JobStatus, JobType


def names(statement: RowSelect) -> list[str]:
    return [column.key for column in statement.selected_columns]


def fields(row_type: type) -> list[str]:
    return [field.name for field in dataclasses.fields(row_type)]


def test_item_columns_are_the_item_row() -> None:
    assert names(repository._item_select()) == fields(JobItemRow)


def test_detail_columns_are_the_detail_row() -> None:
    statement = repository._item_select().add_columns(*repository.DETAIL_COLUMNS)
    assert [*names(statement), "viewer_applied", "is_owner"] == fields(JobDetailRow)


ITEM = JobItemRow(
    id=7,
    title="Backend engineer",
    description="x" * 301,
    company_name="Acme",
    company_logo_url=None,
    location="Paris",
    location_type=JobLocation.HYBRID,
    job_type=JobType.CONTRACT,
    salary_min=30,
    salary_max=40,
    currency="EUR",
    posted_at=datetime(2026, 1, 2, tzinfo=UTC),
    is_featured=False,
    views_count=3,
    status=JobStatus.PUBLISHED,
    applications_count=2,
    has_applied=False,
)
DETAIL_EXTRA = {
    "requirements": None,
    "responsibilities": "Code",
    "benefits": None,
    "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    "company_description": None,
    "company_industry": "Software",
    "company_size": None,
    "viewer_applied": True,
    "is_owner": False,
}


class TestSchemasFromRows:
    def test_list_item_cuts_the_description(self) -> None:
        item = JobItem.model_validate(ITEM)
        assert item.description == "x" * 300 + "..."
        short = dataclasses.replace(ITEM, description="short")
        assert JobItem.model_validate(short).description == "short"

    def test_write_answer_keeps_it_whole(self) -> None:
        assert JobResponse.model_validate(ITEM).description == "x" * 301

    def test_detail_derives_its_fields(self) -> None:
        row = JobDetailRow(**dataclasses.asdict(ITEM), **DETAIL_EXTRA)
        detail = JobDetailResponse.model_validate(row)
        dumped = detail.model_dump(mode="json")
        assert dumped["employment_type"] == "contract"
        assert dumped["salary_range"] == "30 - 40 EUR"
        assert dumped["has_applied"] is False, "the viewer's relation is never in the body"
        assert "viewer_applied" not in dumped
        assert "is_owner" not in dumped
        assert list(dumped)[-2:] == ["employment_type", "salary_range"], "the API's key order"
        no_range = JobDetailResponse.model_validate(dataclasses.replace(row, salary_max=None))
        assert no_range.salary_range is None
