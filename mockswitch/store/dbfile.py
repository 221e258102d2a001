"""The database file: checked before anything is written, and held by one server at a time.

`check` looks without touching: a folder, a missing parent folder (never created), a file
that is not SQLite are refused before a byte is written. `Hold` is an OS lock (`flock`) on a
sidecar file, `<db>-lock`, holding the pid of its owner: a second server or `seed` on the
same file is refused, naming that pid. The kernel drops the lock when its process dies,
even by `kill -9`, so a stale sidecar never blocks a start.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
LOCK_SUFFIX = "-lock"


class DatabaseFileError(Exception):
    """The --db path cannot be used; the message (one line) names it and says why."""


class DatabaseInUse(DatabaseFileError):
    """Another process holds the database file."""


def check(path: str) -> Path:
    """The absolute path of a usable database file, or `DatabaseFileError`; writes nothing."""
    if not path:
        raise DatabaseFileError("--db is empty: give a file name, or :memory:")
    location = Path(path).resolve()  # a symlink's target: one lock per real file
    if location.is_dir():
        raise DatabaseFileError(f"--db {location}: is a folder, not a database file")
    folder = location.parent
    if not folder.exists():
        raise DatabaseFileError(
            f"--db {location}: the folder {folder} does not exist (mockswitch does not create it)"
        )
    if not folder.is_dir():
        raise DatabaseFileError(f"--db {location}: {folder} is not a folder")
    if location.exists():
        if not location.is_file():
            raise DatabaseFileError(f"--db {location}: is not a regular file")
        try:
            with location.open("rb") as file:
                header = file.read(len(SQLITE_HEADER))
        except OSError as error:
            raise DatabaseFileError(f"--db {location}: cannot be read: {error.strerror}") from None
        if header and header != SQLITE_HEADER:  # an empty file is a new, empty database
            raise DatabaseFileError(f"--db {location}: is not a SQLite database")
    return location


def discard(location: Path) -> None:
    """Remove a database file (and SQLite's own sidecars) that a failed start created."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        location.with_name(location.name + suffix).unlink(missing_ok=True)


class Hold:
    """An exclusive lock on a database file, for as long as this process keeps it."""

    def __init__(self, path: Path, descriptor: int) -> None:
        self.path = path
        self._descriptor: int | None = descriptor

    @classmethod
    def take(cls, database: Path) -> Hold:
        """Lock `database`, or raise `DatabaseInUse` naming the process that holds it."""
        path = database.with_name(database.name + LOCK_SUFFIX)
        while True:
            try:
                descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as error:
                raise DatabaseFileError(
                    f"--db {database}: cannot create files in {database.parent}: "
                    f"{error.strerror or error}"
                ) from None
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                owner = _read_pid(descriptor)
                os.close(descriptor)
                if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise DatabaseFileError(
                        f"--db {database}: cannot lock {path}: {error.strerror}"
                    ) from None
                raise DatabaseInUse(
                    f"--db {database}: in use by another mockswitch ({owner}); "
                    "stop it, or give another --db"
                ) from None
            # The owner before us may have removed the file between our open and our lock:
            # then we locked a file nobody else will look at. Try again with the one there.
            if _same_file(descriptor, path):
                break
            os.close(descriptor)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        return cls(path, descriptor)

    def release(self) -> None:
        """Remove the sidecar while still holding it (so no one locks a doomed file), then
        unlock."""
        if self._descriptor is None:
            return
        try:
            if _same_file(self._descriptor, self.path):
                self.path.unlink()
        except OSError:
            pass  # a lock file left behind is harmless: the next start takes it over
        os.close(self._descriptor)
        self._descriptor = None


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(descriptor)
    return (on_disk.st_dev, on_disk.st_ino) == (held.st_dev, held.st_ino)


def _read_pid(descriptor: int) -> str:
    try:
        text = os.pread(descriptor, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        text = ""
    return f"pid {text}" if text.isdigit() else "pid unknown"
