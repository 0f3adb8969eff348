"""The dashboard's rows are built positionally: the import-time check of labels must hold."""

from dataclasses import dataclass

import pytest

from intowork.dashboard import repository


@dataclass(frozen=True, slots=True)
class Swapped:
    users_recent: int
    users: int


class TestCheckLabels:
    def test_statements_match_their_rows(self) -> None:
        repository._check_labels(
            repository.EmployerCounts, repository.EMPLOYER_STATS.selected_columns.keys()
        )

    def test_swapped_fields(self) -> None:
        with pytest.raises(TypeError, match="Swapped fields"):
            repository._check_labels(Swapped, ["users", "users_recent"])

    def test_missing_label(self) -> None:
        with pytest.raises(TypeError, match="statement labels"):
            repository._check_labels(repository.AdminCounts, ["users"])
