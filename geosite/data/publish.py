"""Publish a set of output files at once, and keep two commands out of one folder.

A run writes several files that belong together (``scores.csv``, ``scores.gpkg``,
``score_cards.csv``, ``map.html``...). Renaming them into place one at a time leaves a mixed
set if the process dies between two renames, and a reader can see one at any time. Here
every file is written into a hidden *staging* folder beside the output folder; the staging
folder then receives a hard link to every entry of the output folder that the command does
not own (a user's notes, another command's outputs), and the two folders are swapped with a
single ``renameat2(RENAME_EXCHANGE)`` system call: the output folder's path shows the
previous set or the new one, each whole, at every instant, and regular files stay at their
documented paths. The previous folder is then removed.

Why a folder exchange rather than a generation folder behind symbolic links: links at the
documented paths would be copied as links by ``cp -r``, skipped by some sync clients and
refused by FAT-formatted USB sticks, and planners pass these files around. The exchange
keeps them regular files. Its costs: the output folder is a new folder after each run (a
shell ``cd``-ed into it from elsewhere must ``cd .`` to see the new files; its permission
bits are carried over), and files another command adds to the folder *during* the exchange are moved
back just after it.

Where the exchange cannot be used (not Linux, a file system without it, an output folder
that is a mount point or whose parent cannot be written, a foreign file that cannot be hard
linked) or should not be (the output folder is, or holds, the working directory: swapping it
would leave the user's shell in a deleted folder), the staged files are renamed into place
one by one: every file is still whole, but for the instant of the renames the set can be
mixed.

A staging folder is removed on every exit path, including ``SIGINT`` and ``SIGTERM`` (the
command line turns both into exceptions); one left by ``SIGKILL`` or a power cut is removed
by the next command writing to that folder. While a command writes to a folder it holds a
lock on it (``flock`` on a hidden file beside it); a second command refuses to start with
an :class:`~geosite.errors.OutputError` naming the folder and the process holding it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import logging
import os
import secrets
import shutil
import signal
import stat
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from geosite.errors import OutputError

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

__all__ = ["STAGE_MARK", "file_lock", "output_lock", "output_set"]

logger = logging.getLogger(__name__)

#: Part of the name of every staging folder (``.out.geosite-stage-1a2b3c4d``).
STAGE_MARK = ".geosite-stage-"
_LOCK_SUFFIX = ".geosite-lock"

_held: dict[Path, list[int]] = {}  # folder -> [lock file descriptor, depth]
_held_guard = threading.Lock()


def _folder(out_dir: str | os.PathLike[str]) -> Path:
    """Return the real path of an output folder (a symbolic link to a folder is followed)."""
    out = Path(out_dir)
    try:
        real = Path(os.path.realpath(out))
    except FileNotFoundError:
        msg = (
            "the working directory no longer exists (another program removed or replaced "
            f"it); `cd` into it again, then rerun with --out {str(out)!r}"
        )
        raise OutputError(msg) from None
    if out.exists() and not out.is_dir():
        msg = f"output path {str(out)!r} exists and is not a directory; choose another --out"
        raise OutputError(msg)
    return real


def _lock_path(real: Path) -> Path:
    parent = real.parent
    if os.access(parent, os.W_OK):
        return parent / f".{real.name}{_LOCK_SUFFIX}"
    return real / _LOCK_SUFFIX


def _cannot_write(path: Path, err: OSError) -> OutputError:
    msg = f"cannot write to {str(path)!r}: {err.strerror or err}; choose another output directory"
    return OutputError(msg)


@contextlib.contextmanager
def output_lock(out_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the lock of an output folder; yield its real path.

    The lock is re-entrant within a process (a command holds it from start to end, and the
    writer it calls takes it again). It is an advisory ``flock`` on a hidden file beside the
    folder, ``.<folder>.geosite-lock``, removed on release.

    Raises
    ------
    OutputError
        If another process holds the lock: the message names the folder and that process.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with output_lock(out) as real:
    ...     real.name
    'out'
    """
    with _holding(_folder(out_dir)) as real:
        yield real


@contextlib.contextmanager
def file_lock(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the lock of one output file that a command reads, fetches and rewrites whole.

    The same lock as :func:`output_lock` (``.<file>.geosite-lock`` beside the file), for a
    file that is its own cache, such as the GeoPackage of ``geosite fetch-osm``: a second
    command refuses to start instead of racing to the same file. Yields the file's real path.

    Raises
    ------
    OutputError
        If ``path`` is a folder, its folder cannot be written, or another process holds
        the lock (the message names the file and that process).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "osm.gpkg"
    >>> with file_lock(out) as real:
    ...     sorted(p.name for p in real.parent.iterdir())
    ['.osm.gpkg.geosite-lock']
    """
    real = Path(os.path.realpath(path))
    if real.is_dir():
        msg = f"{str(path)!r} is a folder; give a file name"
        raise OutputError(msg)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _cannot_write(real.parent, err) from err
    if not os.access(real.parent, os.W_OK):
        raise _cannot_write(real.parent, PermissionError(errno.EACCES, "permission denied"))
    with _holding(real) as held:
        yield held


@contextlib.contextmanager
def _holding(real: Path) -> Iterator[Path]:
    """Hold the re-entrant lock of ``real`` (a folder, or a file whose folder is writable)."""
    with _held_guard:
        if real in _held:
            _held[real][1] += 1
        else:
            _held[real] = [_acquire(real), 1]
    try:
        yield real
    finally:
        with _held_guard:
            entry = _held[real]
            entry[1] -= 1
            if entry[1] == 0:
                del _held[real]
                path = _lock_path(real)
                with contextlib.suppress(OSError):
                    path.unlink()
                os.close(entry[0])


def _acquire(real: Path) -> int:
    """Take the lock file of ``real``; return its descriptor."""
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _cannot_write(real.parent, err) from err
    while True:
        path = _lock_path(real)
        try:
            if path.parent == real:
                real.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as err:
            raise _cannot_write(real, err) from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            msg = (
                f"another geosite command (process {holder}) is writing to {str(real)!r}; "
                "wait for it to finish, or choose another --out"
            )
            raise OutputError(msg) from None
        # The holder before us may have removed the file after we opened it: start again.
        try:
            same = os.path.samestat(os.fstat(fd), path.stat())
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            return fd
        os.close(fd)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Defer SIGINT and SIGTERM while the block runs (only the main thread can)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "pthread_sigmask"
    ):
        yield
        return
    blocked = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _stale_stages(real: Path) -> list[Path]:
    found: list[Path] = []
    with contextlib.suppress(OSError):
        found += real.parent.glob(f".{glob_escape(real.name)}{STAGE_MARK}*")
    if real.is_dir():
        with contextlib.suppress(OSError):
            found += real.glob(f"{STAGE_MARK}*")
    return found


def glob_escape(name: str) -> str:
    """Return ``name`` with glob wildcards escaped."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``)."""
    if not sys.platform.startswith("linux"):
        raise OSError(errno.ENOSYS, "renameat2 is Linux only")
    libc = ctypes.CDLL(None, use_errno=True)
    try:
        renameat2 = libc.renameat2
    except AttributeError:
        raise OSError(errno.ENOSYS, "the C library has no renameat2") from None
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(b))


def _carry(src: Path, dst: Path) -> None:
    """Give ``dst`` the content of ``src`` without copying data (hard links)."""
    if src.is_symlink():
        dst.symlink_to(src.readlink())
    elif src.is_dir():
        shutil.copytree(src, dst, symlinks=True, copy_function=os.link)
    else:
        os.link(src, dst, follow_symlinks=False)


@contextlib.contextmanager
def output_set(out_dir: str | os.PathLike[str], *, owns: Collection[str] = ()) -> Iterator[Path]:
    r"""Yield a staging folder; on success publish what was written there as ``out_dir``.

    Write every output into the yielded folder under its final relative name. When the
    block ends without error, the output folder shows exactly the new files plus every
    entry it had that is neither among them nor named in ``owns``, in one atomic step (see
    the module docstring). On any error, or ``SIGINT``/``SIGTERM``, the staging folder is
    removed and the output folder is unchanged.

    Parameters
    ----------
    out_dir
        The output folder, created if missing.
    owns
        Top-level names this writer produces (``"scores.gpkg"``, ``"figures"``); an entry
        of that name left from an earlier run is removed if this run does not write it, so
        the folder never mixes two runs' outputs of one command.

    Raises
    ------
    OutputError
        If the folder cannot be written, or another command is writing to it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with output_set(out) as stage:
    ...     _ = (stage / "scores.csv").write_text("id,score\\n")
    >>> sorted(p.name for p in out.iterdir())
    ['scores.csv']
    """
    with output_lock(out_dir) as real:
        for stale in _stale_stages(real):
            logger.info("removing %s, left by an interrupted run", stale)
            with _signals_held():
                _remove(stale)
        # A folder that holds our working directory is not swapped: the shell that started
        # us would be left in a deleted folder.
        inside = (
            not os.access(real.parent, os.W_OK)
            or (real.exists() and os.path.ismount(real))
            or _cwd_inside(real) is not None
        )
        home = real if inside else real.parent
        prefix = STAGE_MARK if inside else f".{real.name}{STAGE_MARK}"
        stage = home / f"{prefix}{secrets.token_hex(4)}"
        try:
            home.mkdir(parents=True, exist_ok=True)
            stage.mkdir()
        except OSError as err:
            raise _cannot_write(real, err) from err
        try:
            yield stage
            with _signals_held():
                _publish(stage, real, owns=set(owns), inside=inside)
        except OSError as err:
            with _signals_held():
                _remove(stage)
            if isinstance(err, OutputError):
                raise
            msg = (
                f"cannot write {str(real)!r}: {err.strerror or err}; "
                "the previous outputs, if any, are unchanged"
            )
            raise OutputError(msg) from err
        except BaseException:
            with _signals_held():
                _remove(stage)
            raise


def _fsync_tree(root: Path) -> None:
    """Flush every staged file and folder to disk, so that a power cut cannot publish holes."""
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(Path(folder) / name, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _publish(stage: Path, real: Path, *, owns: set[str], inside: bool) -> None:
    """Make ``real`` show the staged entries plus its entries that are not ``owns``."""
    _fsync_tree(stage)
    written = sorted(p.name for p in stage.iterdir())
    if not inside and not real.exists():
        try:
            stage.rename(real)
        except OSError as err:
            if err.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
        else:
            return
    if not inside:
        try:
            _swap(stage, real, written=written, owns=owns)
        except OSError as err:
            logger.warning(
                "cannot replace %s in one step (%s); renaming its files one by one",
                real,
                err.strerror or err,
            )
            for entry in stage.iterdir():
                if entry.name not in written:
                    _remove(entry)
        else:
            return
    _rename_each(stage, real, written=written, owns=owns)


def _swap(stage: Path, real: Path, *, written: list[str], owns: set[str]) -> None:
    """Exchange ``stage`` (plus hard links to the entries kept) with ``real``."""
    keep = [e for e in real.iterdir() if e.name not in written and e.name not in owns]
    for entry in keep:
        _carry(entry, stage / entry.name)
    stage.chmod(stat.S_IMODE(real.stat().st_mode))
    _exchange(stage, real)
    old = stage  # the previous folder now lives at the staging path
    # Entries that appeared in the folder while it was being exchanged belong to someone.
    present = {p.name for p in real.iterdir()}
    for entry in old.iterdir():
        if entry.name not in present and entry.name not in owns:
            entry.rename(real / entry.name)
    _remove(old)
    _fsync_dir(real.parent)


def _cwd_inside(real: Path) -> Path | None:
    try:
        return Path.cwd().relative_to(real)
    except (OSError, ValueError):
        return None


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _rename_each(stage: Path, real: Path, *, written: list[str], owns: set[str]) -> None:
    """Rename the staged entries into ``real`` one by one, then drop owned leftovers."""
    real.mkdir(parents=True, exist_ok=True)
    for name in written:
        src, dst = stage / name, real / name
        if src.is_dir() and dst.is_dir() and not dst.is_symlink():
            aside = stage / f"{name}.previous"
            dst.rename(aside)
        src.replace(dst)
    for name in owns - set(written):
        _remove(real / name)
    _remove(stage)
    _fsync_dir(real)
