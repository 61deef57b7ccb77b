"""Writing files so that they appear whole or not at all.

Photos, weights and checkpoints are all written through a temporary file beside the target and an
atomic rename: a crash, a full disk or a cancel leaves the old file (or none), never half a file.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a hidden temporary file in the same folder.

    The temporary file is created with mode 0o666, so the process umask applies as it would to
    the file written directly.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                             | getattr(os, "O_BINARY", 0), 0o666)
        with open(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
