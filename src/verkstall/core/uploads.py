"""Checks shared by every file upload (issue 11): what a file is by its content, and whether a
zip container (DOCX, ODT, XLSX) is safe to open.

Sniffing. `sniff_content_type` names a file by its first bytes (PDF, PNG, JPEG, TIFF, zip),
never by its name or the browser's claim; markup (HTML, SVG, XML) is named too, so that a
caller can refuse it whatever the file is called. A download is served with the type the
content has (`served_content_type`), as an attachment and with `nosniff`.

Zip containers. A zip states in its central directory how large each member is and how it is
compressed; `open_zip` judges those figures before a single member is decompressed: the
number of members, the total uncompressed size and the compression ratio, and only stored or
deflated members (the methods office formats use; bzip2 and LZMA would decompress without a
bound per step). Python's zipfile never returns more of a member than its stated size (and
fails the CRC when the data would go on), so the stated sizes bound what anyone - this
module, openpyxl - can read from an archive that passed; `read_member` adds its own cap on
top. The limits are settings, each with a default:

VERKSTALL_UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES  50 MiB, all members together
VERKSTALL_UPLOAD_ZIP_MAX_RATIO               100, uncompressed to compressed, for the archive
                                             and for each member (judged above 1 MiB only:
                                             a small XML part may compress very well)
VERKSTALL_UPLOAD_ZIP_MAX_MEMBERS             1 000
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings

from .errors import ValidationFailed

MIB = 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED_BYTES = 50 * MIB
DEFAULT_MAX_RATIO = 100
DEFAULT_MAX_MEMBERS = 1_000
# Below this many uncompressed bytes the ratio is not judged (neither for a member nor for
# the archive): a few kilobytes of repetitive XML can compress far beyond any sane ratio.
RATIO_FLOOR_BYTES = 1 * MIB
ALLOWED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
ZIP = "application/zip"
HTML = "text/html"
SVG = "image/svg+xml"
XML = "text/xml"
# Content a browser may run as a page or script, whatever the file is called.
ACTIVE_CONTENT_TYPES = frozenset({HTML, SVG, XML})
SNIFF_BYTES = 1024

_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
    (b"PK\x03\x04", ZIP),
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# Tags the WHATWG MIME sniffing standard treats as HTML, and what else starts a page.
_HTML_TAGS = (
    b"<!doctype",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<style",
    b"<title",
    b"<meta",
    b"<link",
    b"<img",
    b"<div",
    b"<table",
    b"<font",
    b"<form",
    b"<a ",
    b"<b>",
    b"<br",
    b"<p>",
    b"<h1",
    b"<!--",
)


def sniff_content_type(head: bytes) -> str | None:
    """The type of a file by its first bytes (give at least SNIFF_BYTES of them): one of the
    constants above, or None for anything else (an empty file included)."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return _markup_type(head[:SNIFF_BYTES])


def _markup_type(head: bytes) -> str | None:
    text = head
    for bom in _BOMS:
        if text.startswith(bom):
            text = text[len(bom) :]
            break
    # UTF-16 markup: the NUL bytes between ASCII letters go, the letters stay comparable.
    text = text.replace(b"\x00", b"").lstrip().lower()
    if not text.startswith(b"<"):
        return None
    if b"<svg" in text:
        return SVG
    if any(tag in text for tag in _HTML_TAGS) or b"<?xml" not in text[:5]:
        return HTML
    return XML


def uploaded_head(upload, size: int = SNIFF_BYTES) -> bytes:
    """The first bytes of an uploaded file; the file is left at its start."""
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def served_content_type(head: bytes, stored: str) -> str:
    """The Content-Type for a download: the stored type only when the content still is of
    that type (sniffed now), else a plain download; never a type a browser renders as a page.
    """
    sniffed = sniff_content_type(head)
    if sniffed is None or sniffed in ACTIVE_CONTENT_TYPES or sniffed != stored:
        return "application/octet-stream"
    return stored


# Zip containers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipLimits:
    max_uncompressed_bytes: int
    max_ratio: int
    max_members: int


def zip_limits() -> ZipLimits:
    """The limits in force, read at each use so that a deployment (or a test) can set them."""
    return ZipLimits(
        max_uncompressed_bytes=int(
            getattr(
                settings,
                "VERKSTALL_UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES",
                DEFAULT_MAX_UNCOMPRESSED_BYTES,
            )
        ),
        max_ratio=int(getattr(settings, "VERKSTALL_UPLOAD_ZIP_MAX_RATIO", DEFAULT_MAX_RATIO)),
        max_members=int(getattr(settings, "VERKSTALL_UPLOAD_ZIP_MAX_MEMBERS", DEFAULT_MAX_MEMBERS)),
    )


def _mib(size: int) -> str:
    return f"{size / MIB:.0f} MB"


def check_zip(archive: zipfile.ZipFile, archive_size: int, *, field: str) -> None:
    """Judge an opened archive by its central directory alone; nothing is decompressed.
    Raises ValidationFailed({field: ...}) in Swedish when it looks like a zip bomb."""
    limits = zip_limits()
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise _too_many_members(field, len(members), limits)
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise ValidationFailed(
                {field: "Filen är lösenordsskyddad (krypterad) och kan inte tas emot."}
            )
        if member.compress_type not in ALLOWED_COMPRESSION:
            raise ValidationFailed(
                {field: "Filen är packad på ett sätt som inte stöds och tas inte emot."}
            )
        total += member.file_size
        if total > limits.max_uncompressed_bytes:
            raise ValidationFailed(
                {
                    field: "Filen packas upp till mer än "
                    f"{_mib(limits.max_uncompressed_bytes)} och tas inte emot "
                    "(den kan vara en så kallad zip-bomb)."
                }
            )
        if _beyond_ratio(member.file_size, member.compress_size, limits):
            raise _too_compressed(field, limits)
    if _beyond_ratio(total, archive_size, limits):
        raise _too_compressed(field, limits)


def _beyond_ratio(uncompressed: int, compressed: int, limits: ZipLimits) -> bool:
    return uncompressed > RATIO_FLOOR_BYTES and uncompressed > limits.max_ratio * max(compressed, 1)


def _too_compressed(field: str, limits: ZipLimits) -> ValidationFailed:
    return ValidationFailed(
        {
            field: "Filen är ovanligt hårt packad (mer än "
            f"{limits.max_ratio} gånger) och tas inte emot (den kan vara en så kallad zip-bomb)."
        }
    )


def _too_many_members(field: str, count: int, limits: ZipLimits) -> ValidationFailed:
    return ValidationFailed(
        {
            field: f"Filen innehåller för många delar ({count}; högst {limits.max_members}) "
            "och tas inte emot."
        }
    )


def _check_member_count(data: bytes, *, field: str) -> None:
    """The member count from the end-of-central-directory record, before zipfile builds an
    object per member (a 10 MB file could list some 200 000 of them)."""
    try:  # zipfile's own reader of that record; it understands zip64 too
        end = zipfile._EndRecData(io.BytesIO(data))
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return  # not a zip: ZipFile says so
    if end is None:
        return
    count = end[zipfile._ECD_ENTRIES_TOTAL]
    limits = zip_limits()
    if count > limits.max_members:
        raise _too_many_members(field, count, limits)


def open_zip(data: bytes, *, field: str) -> zipfile.ZipFile:
    """The archive in `data`, checked by `check_zip` before it is handed out (use it as a
    context manager). zipfile.BadZipFile when it is no readable zip; ValidationFailed when it
    is refused."""
    _check_member_count(data, field=field)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (OSError, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise zipfile.BadZipFile(str(exc)) from exc
    try:
        check_zip(archive, len(data), field=field)
    except BaseException:
        archive.close()
        raise
    return archive


def read_member(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes:
    """A member's content, at most `limit` bytes (and never more than its stated size, which
    zipfile enforces); zipfile.BadZipFile when the member is larger than the caller allows."""
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise zipfile.BadZipFile(f"member {name!r} larger than {limit} bytes")
    with archive.open(info) as member:
        data = member.read(limit + 1)
    if len(data) > limit:
        raise zipfile.BadZipFile(f"member {name!r} larger than {limit} bytes")
    return data
