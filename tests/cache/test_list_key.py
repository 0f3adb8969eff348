"""The public list's cache key comes from the query object itself (issue 19): every field of
every filter is in it, so a filter added later can never be forgotten, and equal queries (as
normalised by the filter objects) share one key."""

import dataclasses
from enum import StrEnum

import pytest

from intowork.core.cache import Cache, MemoryBackend, query_source
from intowork.core.pagination import PageParams
from intowork.jobs.repository import JobFilters, JobListQuery
from intowork.jobs.search import SearchQuery, parse_search
from intowork.models.enums import JobLocation, JobType


def a_query(**filters: object) -> JobListQuery:
    search = filters.pop("search", "python developer")
    assert isinstance(search, str)
    return JobListQuery(
        filters=JobFilters(search=parse_search(search), **filters),
        paging=PageParams(page=2, limit=10),
        by_relevance=True,
        count_cap=1000,
    )


BASE = a_query(
    location="Paris",
    job_type=JobType.FULL_TIME,
    location_type=JobLocation.HYBRID,
    salary_min=30_000,
    company_id=3,
)


def another(value: object) -> object:
    """A value of the same kind that is different."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, tuple):
        return (*value, "more")
    if isinstance(value, JobType):
        return JobType.PART_TIME
    if isinstance(value, JobLocation):
        return JobLocation.REMOTE
    raise AssertionError(f"no other value for {value!r}")


def variants(obj: object) -> list[tuple[str, object]]:
    """`obj` with each of its leaf fields, nested dataclasses included, changed in turn."""
    found: list[tuple[str, object]] = []
    assert dataclasses.is_dataclass(obj)
    assert not isinstance(obj, type)
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if dataclasses.is_dataclass(value):
            for path, changed in variants(value):
                whole = dataclasses.replace(obj, **{field.name: changed})
                found.append((f"{field.name}.{path}", whole))
        else:
            whole = dataclasses.replace(obj, **{field.name: another(value)})
            found.append((field.name, whole))
    return found


class TestEveryFieldIsInTheKey:
    def test_each_field_changes_the_key(self) -> None:
        changed = variants(BASE)
        # Every field of the query and of its filters, enumerated from the classes.
        assert {path for path, _ in changed} == {
            "filters.search.indexed_terms",
            "filters.search.short_terms",
            "filters.location",
            "filters.job_type",
            "filters.location_type",
            "filters.salary_min",
            "filters.company_id",
            "paging.page",
            "paging.limit",
            "by_relevance",
            "count_cap",
        }
        for path, query in changed:
            assert query_source(query) != query_source(BASE), path

    def test_a_new_filter_is_in_the_key_without_touching_the_builder(self) -> None:
        """A filter added to the filter object: nothing else to change for the key to see it."""

        @dataclasses.dataclass(frozen=True, slots=True)
        class WithSeniority(JobFilters):
            seniority: str | None = None

        plain = WithSeniority(search=parse_search("python"))
        senior = WithSeniority(search=parse_search("python"), seniority="senior")
        assert query_source(plain) != query_source(senior)
        assert "seniority" in query_source(senior)

    async def test_keys_differ(self) -> None:
        cache = Cache(MemoryBackend())
        other = dataclasses.replace(BASE, paging=PageParams(page=3, limit=10))
        assert await cache.job_list_key(BASE) != await cache.job_list_key(other)
        same = dataclasses.replace(BASE, paging=PageParams(page=2, limit=10))
        assert await cache.job_list_key(BASE) == await cache.job_list_key(same)


class TestEqualQueriesShareAKey:
    @pytest.mark.parametrize(
        ("one", "other"),
        [
            ({"location": "Paris"}, {"location": "  PARIS "}),
            ({"location": None}, {"location": ""}),
            ({"location": None}, {"location": "   "}),
            ({"search": "Python  developer"}, {"search": "python, DEVELOPER python"}),
        ],
    )
    def test_normalised_filters(self, one: dict[str, object], other: dict[str, object]) -> None:
        assert query_source(a_query(**one)) == query_source(a_query(**other))

    def test_relevance_without_indexed_terms_is_the_recent_order(self) -> None:
        def query(search: str, by_relevance: bool) -> JobListQuery:
            return JobListQuery(
                filters=JobFilters(search=parse_search(search)),
                paging=PageParams(page=1, limit=10),
                by_relevance=by_relevance,
                count_cap=1000,
            )

        assert query_source(query("go", True)) == query_source(query("go", False))
        assert query_source(query("", True)) == query_source(query("", False))
        assert query_source(query("golang", True)) != query_source(query("golang", False))

    def test_field_order_does_not_matter(self) -> None:
        @dataclasses.dataclass(frozen=True)
        class One:
            a: int
            b: str

        @dataclasses.dataclass(frozen=True)
        class Two:
            b: str
            a: int

        assert query_source(One(a=1, b="x")) == query_source(Two(b="x", a=1))


class TestValues:
    def test_enums_by_value(self) -> None:
        class Colour(StrEnum):
            RED = "red"

        assert query_source((Colour.RED,)) == query_source(("red",))

    def test_no_stable_text_is_refused(self) -> None:
        """An object with no stable text would make every key unique or, worse, shared."""
        with pytest.raises(TypeError):
            query_source(SearchQuery(indexed_terms=(object(),), short_terms=()))
        with pytest.raises(TypeError):
            query_source({"location": "Paris"})
