"""The database file: checked before anything is written, and held by one server at a time.

`check` looks without touching: a folder, a missing parent folder (never created), a file
that is not SQLite are refused before a byte is written. `Hold` is an OS lock (`flock`) on
the database file itself, so it belongs to the file (its device and inode), not to a name:
a hard link, a symlink or a bind mount of a file a server holds is refused like its own
path, naming the process that holds it (read from /proc/locks). The kernel drops the lock
when its process dies, even by `kill -9`, so a crashed server never blocks a start. SQLite's
own locks are POSIX record locks, which `flock` does not touch.
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"


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
        """Lock `database` (made empty if it does not exist: a new database), or raise
        `DatabaseInUse` naming the process that holds it."""
        existed = database.exists()
        try:
            descriptor = os.open(database, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as error:
            reason = error.strerror or error
            if existed:
                raise DatabaseFileError(f"--db {database}: cannot be written: {reason}") from None
            raise DatabaseFileError(
                f"--db {database}: cannot create files in {database.parent}: {reason}"
            ) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            owner = _owner(descriptor)
            os.close(descriptor)
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise DatabaseFileError(
                    f"--db {database}: cannot lock it: {error.strerror}"
                ) from None
            raise DatabaseInUse(
                f"--db {database}: in use by another mockswitch ({owner}); "
                "stop it, or give another --db"
            ) from None
        return cls(database, descriptor)

    def release(self) -> None:
        """Unlock (once SQLite's connections to the file are closed: closing a descriptor of
        a file drops this process's POSIX locks on it, SQLite's among them)."""
        if self._descriptor is None:
            return
        os.close(self._descriptor)
        self._descriptor = None


def _owner(descriptor: int) -> str:
    """Which process holds the `flock` on the descriptor's file, as "pid N"."""
    held = os.fstat(descriptor)
    device = f"{os.major(held.st_dev):02x}:{os.minor(held.st_dev):02x}:{held.st_ino}"
    try:
        with open("/proc/locks", encoding="ascii", errors="replace") as locks:
            for line in locks:
                words = line.split()
                # "1: FLOCK  ADVISORY  WRITE 4242 fe:00:2146365 0 EOF"; a waiter's has "->".
                if "FLOCK" in words and device in words and "->" not in words:
                    pid = words[words.index(device) - 1]
                    if pid.isdigit():
                        return f"pid {pid}"
    except OSError:
        pass
    return "pid unknown"
