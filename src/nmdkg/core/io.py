"""Files: atomic output (a reader never sees a half-written file) and the checksum of a file."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def _temporary_beside(path: Path) -> tuple[int, str]:
    """A new temporary file in ``path``'s folder (created if missing), with the usual permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file the usual permissions
    return fd, tmp


@contextmanager
def atomic_writer(path: Path) -> Iterator[BinaryIO]:
    """Open a temporary file beside ``path``; on success rename it over ``path``, on error remove it."""
    path = Path(path)
    fd, tmp = _temporary_beside(path)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: The digests :func:`sha256_of` has computed, by file identity: (device, inode, size, modification time).
_DIGESTS: dict[tuple[int, int, int, int], str] = {}


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex), read in blocks of a MiB.

    A large file (a MiB or more) is hashed once per process: its digest is kept by the file's device, inode,
    size and modification time, which a rename keeps (a staged file committed into place) and a rewrite
    changes. A build hashes its exports for the dataset description, the query store and the manifest.
    """
    stat = path.stat()
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    found = _DIGESTS.get(key)
    if found is not None:
        return found
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if stat.st_size >= 1 << 20:
        _DIGESTS[key] = digest.hexdigest()
    return digest.hexdigest()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    with atomic_writer(path) as handle:
        handle.write(data)


class StagedFiles:
    """Several files written under temporary names beside their targets, renamed into place together.

    Use it as a context manager: :meth:`commit` renames every staged file over its target; leaving the
    block by an exception (or without a commit) removes them, and the folders made for them, so a reader
    never sees a half-written file and a failed build leaves the previous outputs as they were.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[str, Path]] = []
        self._made: set[Path] = set()  # folders that did not exist before a file was staged in them

    def __enter__(self) -> StagedFiles:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()

    def path(self, target: Path) -> Path:
        """A new temporary file for ``target`` (empty), to be written by anyone, e.g. another process."""
        folder = Path(target).parent
        self._made.update(p for p in (folder, *folder.parents) if not p.exists())
        fd, tmp = _temporary_beside(Path(target))
        os.close(fd)
        self._staged.append((tmp, Path(target)))
        return Path(tmp)

    def write(self, target: Path, data: bytes) -> Path:
        """Stage ``data`` for ``target``; returns the temporary file."""
        tmp = self.path(target)
        with tmp.open("wb") as handle:
            handle.write(data)
        return tmp

    def pending(self) -> dict[Path, Path]:
        """Each staged target and the temporary file that holds it until :meth:`commit`."""
        return {target: Path(tmp) for tmp, target in self._staged}

    def commit(self) -> list[Path]:
        """Flush every staged file to disk, then rename each over its target."""
        for tmp, _ in self._staged:
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
        for tmp, target in self._staged:
            os.replace(tmp, target)
        targets = [target for _, target in self._staged]
        self._staged, self._made = [], set()
        return targets

    def discard(self) -> None:
        for tmp, _ in self._staged:
            Path(tmp).unlink(missing_ok=True)
        for folder in sorted(self._made, key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty: nothing of anyone else's is removed
        self._staged, self._made = [], set()
