from pathlib import Path

from sqlalchemy import text

from intowork.core.config import Settings
from intowork.core.db import SQLITE_PAGE_CACHE_KIB, create_engine


async def test_sqlite_connections_bound_their_page_cache(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'intowork.db'}")
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            pragmas = [
                (await connection.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("cache_size", "journal_mode", "foreign_keys", "synchronous")
            ]
    finally:
        await engine.dispose()
    # Negative: KiB, not pages. synchronous NORMAL is 1.
    assert pragmas == [-SQLITE_PAGE_CACHE_KIB, "wal", 1, 1]
