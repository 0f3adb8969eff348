"""The test scaffolding stays one: a conftest imports shared helpers from tests/fixtures only,
never from another conftest or another folder of the suite."""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
CONFTESTS = sorted(TESTS.rglob("conftest.py"))


def suite_imports(path: Path) -> list[str]:
    """The modules of the suite (`tests`, `tests.*`, relative) that `path` imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.append("." * node.level + (node.module or ""))
            elif node.module == "tests":
                found += [f"tests.{alias.name}" for alias in node.names]
            elif node.module is not None:
                found.append(node.module)
    return [name for name in found if name.startswith(".") or name.split(".")[0] == "tests"]


def forbidden(module: str) -> bool:
    return module != "tests.fixtures" and not module.startswith("tests.fixtures.")


def test_every_conftest_is_seen() -> None:
    folders = {path.parent.name for path in CONFTESTS}
    assert {"tests", "admin", "applications", "auth", "cache", "email", "security"} <= folders


@pytest.mark.parametrize("conftest", CONFTESTS, ids=lambda path: str(path.relative_to(TESTS)))
def test_conftest_imports_fixtures_only(conftest: Path) -> None:
    assert [module for module in suite_imports(conftest) if forbidden(module)] == []


class TestTheCheck:
    """The check itself catches what it is for."""

    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            ("from tests.conftest import TEST_JWT_SECRET", ["tests.conftest"]),
            ("from tests.auth.conftest import bearer", ["tests.auth.conftest"]),
            ("from tests.security.abuse import World", ["tests.security.abuse"]),
            ("import tests.admin.conftest", ["tests.admin.conftest"]),
            ("from tests import conftest", ["tests.conftest"]),
            ("from .abuse import World", [".abuse"]),
            ("from tests.fixtures.actors import Actor", []),
            ("from tests import fixtures", []),
            ("from intowork.models import User", []),
        ],
    )
    def test_forbidden_imports(self, tmp_path: Path, source: str, expected: list[str]) -> None:
        path = tmp_path / "conftest.py"
        path.write_text(source + "\n")
        assert [module for module in suite_imports(path) if forbidden(module)] == expected
