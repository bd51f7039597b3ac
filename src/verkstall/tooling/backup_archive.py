"""The backup archive (issue 18 item 4): one tar file with the database dump, every stored
document and a manifest with the size and sha256 of each of them.

Layout (docs/operations-backup.md)::

    database/verkstall.pgdump      PostgreSQL: pg_dump's custom format of the whole database
    database/verkstall.sqlite3     SQLite: a copy through sqlite3's backup API
    documents/<path>               every file under DATA_DIR/documents, same relative path
    manifest.json                  last: format, creation time, vendor, migration state, members

The archive is written to a temporary name beside the target and renamed only when complete
(and synced), so a crash never leaves half an archive under the real name. Reading verifies
every member against the manifest before anything is extracted; a member that is missing, extra,
of another size or another checksum refuses the whole archive.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

FORMAT = "verkstall-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_DIR = "database"
DOCUMENTS_DIR = "documents"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why (shown as is)."""


class _HashingReader:
    """Reads a file for tarfile and hashes exactly the bytes that went into the archive."""

    def __init__(self, raw):
        self.raw = raw
        self.digest = hashlib.sha256()
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.count += len(data)
        return data


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def iter_documents(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, file) of every regular file under `root`, in a stable order.
    Symbolic links are not followed: a stored document is always a file of its own."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def write_archive(
    output: Path, *, database: Path, database_member: str, documents: Path, manifest: dict
) -> dict:
    """Write the archive to `output` (atomically) and return the manifest written last in it.
    `manifest` holds the fields known before (vendor, migration state, ...); the members are
    added here from the bytes actually written."""
    output = output.resolve()
    if output.is_dir():
        raise BackupError(f"{output} är en mapp; ange ett filnamn för arkivet.")
    if not output.parent.is_dir():
        raise BackupError(f"Mappen {output.parent} finns inte.")
    fd, partial = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".partial", dir=output.parent)
    try:
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                members = [_add_file(tar, database_member, database)]
                for relative, path in iter_documents(documents):
                    members.append(_add_file(tar, f"{DOCUMENTS_DIR}/{relative}", path))
                written = {**manifest, "format": FORMAT, "format_version": FORMAT_VERSION}
                written["members"] = members
                data = json.dumps(written, indent=2, sort_keys=True, ensure_ascii=False).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(time.time())
                tar.addfile(info, _BytesReader(data))
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, output)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise
    _sync_folder(output.parent)
    return written


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    with path.open("rb") as f:
        stat = os.fstat(f.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = stat.st_size, 0o600, int(stat.st_mtime)
        reader = _HashingReader(f)
        tar.addfile(info, reader)
    return {"name": name, "size": reader.count, "sha256": reader.digest.hexdigest()}


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.at + size
        chunk, self.at = self.data[self.at : end], min(end, len(self.data))
        return chunk


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a folder be synced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- reading ---------------------------------------------------------------------------------


def _open(path: Path) -> tarfile.TarFile:
    if not path.is_file():
        raise BackupError(f"Arkivet {path} finns inte.")
    try:
        return tarfile.open(path, mode="r:")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} är inte ett läsbart säkerhetskopiearkiv ({exc}).") from None


def _checked_name(member: tarfile.TarInfo) -> str:
    """Only regular files with plain relative names inside the known folders: nothing in an
    archive may write outside the restore's own folders."""
    name = member.name
    parts = PurePosixPath(name).parts
    plain = (
        bool(parts)
        and not name.startswith("/")
        and "\\" not in name
        and all(p not in ("", ".", "..") for p in parts)
        and (name == MANIFEST or (parts[0] in (DATABASE_DIR, DOCUMENTS_DIR) and len(parts) > 1))
    )
    if not member.isreg() or not plain:
        raise BackupError(f"Arkivet innehåller en otillåten post: {name!r}.")
    return name


def _stream_digest(tar: tarfile.TarFile, member: tarfile.TarInfo, out=None) -> tuple[int, str]:
    source = tar.extractfile(member)
    if source is None:
        raise BackupError(f"Posten {member.name} kan inte läsas.")
    digest, size = hashlib.sha256(), 0
    while chunk := source.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if out is not None:
            out.write(chunk)
    return size, digest.hexdigest()


def verify_archive(path: Path) -> dict:
    """The archive's manifest, after every member was read and checked against it. Raises
    BackupError naming each member that is missing, extra, or of another size or checksum."""
    found: dict[str, tuple[int, str]] = {}
    manifest_data = None
    try:
        with _open(path) as tar:
            for member in tar:
                name = _checked_name(member)
                if name in found or (name == MANIFEST and manifest_data is not None):
                    raise BackupError(f"Arkivet innehåller {name} två gånger.")
                if name == MANIFEST:
                    if member.size > MAX_MANIFEST_BYTES:
                        raise BackupError("Arkivets manifest är orimligt stort.")
                    manifest_data = tar.extractfile(member).read()  # type: ignore[union-attr]
                else:
                    found[name] = _stream_digest(tar, member)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"Arkivet {path} är skadat ({exc}).") from None
    manifest = _parse_manifest(manifest_data)
    problems = _compare_members(manifest, found)
    if problems:
        shown = "; ".join(problems[:10]) + (
            f" (och {len(problems) - 10} till)" if len(problems) > 10 else ""
        )
        raise BackupError(
            f"Arkivet {path} återställs inte: kontrollsummorna stämmer inte. {shown}."
        )
    return manifest


def _parse_manifest(data: bytes | None) -> dict:
    if data is None:
        raise BackupError(
            f"Arkivet saknar {MANIFEST}; det är inte en säkerhetskopia från verkstall backup."
        )
    try:
        manifest = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"Arkivets {MANIFEST} är skadat ({exc}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"Arkivets {MANIFEST} är inte ett verkstall-manifest.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"Arkivet har formatversion {manifest.get('format_version')!r}; den här versionen "
            f"läser version {FORMAT_VERSION}."
        )
    members = manifest.get("members")
    valid = isinstance(members, list) and all(
        isinstance(m, dict)
        and isinstance(m.get("name"), str)
        and isinstance(m.get("size"), int)
        and isinstance(m.get("sha256"), str)
        for m in members
    )
    database = manifest.get("database")
    if not valid or not isinstance(database, dict) or not isinstance(database.get("member"), str):
        raise BackupError(f"Arkivets {MANIFEST} saknar uppgifter om sitt innehåll.")
    if database["member"] not in {m["name"] for m in members}:
        raise BackupError(f"Arkivets {MANIFEST} nämner ingen databasdump.")
    return manifest


def _compare_members(manifest: dict, found: dict[str, tuple[int, str]]) -> list[str]:
    expected = {m["name"]: (m["size"], m["sha256"]) for m in manifest["members"]}
    problems = [f"{name} saknas" for name in sorted(expected.keys() - found.keys())]
    problems += [
        f"{name} finns inte i manifestet" for name in sorted(found.keys() - expected.keys())
    ]
    for name in sorted(expected.keys() & found.keys()):
        (size, digest), (got_size, got_digest) = expected[name], found[name]
        if size != got_size:
            problems.append(f"{name} har {got_size} byte, manifestet säger {size}")
        elif digest != got_digest:
            problems.append(f"{name} har fel sha256")
    return problems


def extract_members(path: Path, manifest: dict, folder: Path) -> None:
    """Write every member of a verified archive under `folder` (same relative names), checking
    each checksum again while writing: the file may have changed since it was verified."""
    expected = {m["name"]: m["sha256"] for m in manifest["members"]}
    try:
        with _open(path) as tar:
            for member in tar:
                name = _checked_name(member)
                if name == MANIFEST:
                    continue
                if name not in expected:
                    raise BackupError(f"Arkivet ändrades under återställningen ({name}).")
                target = folder.joinpath(*PurePosixPath(name).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("xb") as out:
                    _, digest = _stream_digest(tar, member, out)
                if digest != expected[name]:
                    raise BackupError(f"Arkivet ändrades under återställningen ({name}).")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"Arkivet {path} kunde inte packas upp ({exc}).") from None
