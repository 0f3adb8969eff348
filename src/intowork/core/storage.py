"""Private file storage for CVs: a small interface, a local-directory implementation.

Files are stored under generated keys, never under a name a user chose; nothing here is served
by a static route. Object storage can be added behind the same interface.
"""

import os
import re
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Protocol

import anyio
from fastapi import Depends, Request

from intowork.core.config import Settings
from intowork.core.files import private_directory

CHUNK_SIZE = 64 * 1024
_KEY = re.compile(r"[a-f0-9]{32}\.[a-z]{1,8}")


class StoredFileMissing(Exception):
    pass


class Storage(Protocol):
    def new_key(self, extension: str) -> str: ...

    async def write(self, key: str, chunks: AsyncIterator[bytes]) -> int: ...

    def read(self, key: str) -> AsyncIterator[bytes]: ...

    async def delete(self, key: str) -> None: ...

    async def exists(self, key: str) -> bool: ...


class LocalStorage:
    """Files in one private directory (mode 0700) of the data directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        private_directory(root)

    def new_key(self, extension: str) -> str:
        return f"{secrets.token_hex(16)}.{extension}"

    def _path(self, key: str) -> Path:
        # Keys are ours (see new_key); checking the shape keeps any other string off the disk.
        if not _KEY.fullmatch(key):
            raise ValueError("invalid storage key")
        return self.root / key

    async def write(self, key: str, chunks: AsyncIterator[bytes]) -> int:
        """Writes aside, then renames into place: a reader never sees half a file."""
        path = self._path(key)
        partial = path.with_name(f".{path.name}.partial")
        size = 0
        try:
            async with await anyio.open_file(partial, "xb") as file:
                async for chunk in chunks:
                    size += len(chunk)
                    await file.write(chunk)
            await anyio.to_thread.run_sync(os.replace, partial, path)
        except BaseException:
            await anyio.to_thread.run_sync(lambda: partial.unlink(missing_ok=True))
            raise
        return size

    async def read(self, key: str) -> AsyncIterator[bytes]:
        try:
            file = await anyio.open_file(self._path(key), "rb")
        except FileNotFoundError as exc:
            raise StoredFileMissing(key) from exc
        async with file:
            while chunk := await file.read(CHUNK_SIZE):
                yield chunk

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await anyio.to_thread.run_sync(lambda: path.unlink(missing_ok=True))

    async def exists(self, key: str) -> bool:
        return await anyio.Path(self._path(key)).is_file()


def create_storage(settings: Settings) -> Storage:
    return LocalStorage(settings.data_dir / "cvs")


async def get_storage(request: Request) -> Storage:
    storage: Storage = request.app.state.storage
    return storage


StorageDep = Annotated[Storage, Depends(get_storage)]
