"""Issue 16 item 3: the data directory, the SQLite database and its -wal/-shm are private."""

import stat
from pathlib import Path

from httpx import ASGITransport, AsyncClient

from intowork.core.config import Environment, Settings
from intowork.core.db import create_engine
from intowork.core.migrations import upgrade_to_head
from intowork.main import create_app
from tests.fixtures.timing import app_lifespan


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def serve_once(data_dir: Path) -> None:
    """What `make run` does: development settings on embedded defaults, migrate, one request."""
    settings = Settings(_env_file=None, environment=Environment.DEVELOPMENT, data_dir=data_dir)  # type: ignore[call-arg]
    engine = create_engine(settings)
    await upgrade_to_head(engine)
    await engine.dispose()
    app = create_app(settings)
    async with app_lifespan(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert (await http.get("/health/ready")).status_code == 200


class TestPrivateFiles:
    async def test_new_data_directory(self, tmp_path: Path) -> None:
        data_dir = tmp_path / "var"
        await serve_once(data_dir)
        assert mode(data_dir) == 0o700
        database = data_dir / "intowork.db"
        for path in (database, database.with_name("intowork.db-wal"), data_dir / "jwt_secret"):
            if path.exists():
                assert mode(path) == 0o600, path
        assert mode(database) == 0o600
        assert mode(data_dir / "cvs") == 0o700

    async def test_existing_files_tightened(self, tmp_path: Path) -> None:
        data_dir = tmp_path / "var"
        await serve_once(data_dir)
        data_dir.chmod(0o755)
        (data_dir / "intowork.db").chmod(0o644)
        await serve_once(data_dir)
        assert mode(data_dir) == 0o700
        assert mode(data_dir / "intowork.db") == 0o600

    async def test_other_directory_left_alone(self, tmp_path: Path) -> None:
        """A DATABASE_URL outside the data directory: its existing folder keeps its mode."""
        shared = tmp_path / "shared"
        shared.mkdir(mode=0o755)
        shared.chmod(0o755)
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            environment=Environment.DEVELOPMENT,
            data_dir=tmp_path / "var",
            database_url=f"sqlite:///{shared / 'db.sqlite'}",
        )
        engine = create_engine(settings)
        await upgrade_to_head(engine)
        await engine.dispose()
        assert mode(shared) == 0o755
        assert mode(shared / "db.sqlite") == 0o600
