"""Private files: the data directory and what it holds are for this service's user alone."""

import os
from pathlib import Path

PRIVATE_DIRECTORY = 0o700
PRIVATE_FILE = 0o600


def private_directory(path: Path) -> Path:
    """Creates `path` (and missing parents) mode 0700, and takes `path` itself back to 0700."""
    path.mkdir(mode=PRIVATE_DIRECTORY, parents=True, exist_ok=True)
    path.chmod(PRIVATE_DIRECTORY)
    return path


def private_file(path: Path) -> Path:
    """Creates `path` empty mode 0600 when missing, else takes it back to 0600."""
    # O_CREAT with the mode: the file never exists with wider permissions, even for a moment.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    os.close(descriptor)
    path.chmod(PRIVATE_FILE)
    return path
