"""The upload checks every upload shares (core/uploads.py, issue 11): sniffing by content, and
zip containers judged by their central directory before any member is decompressed."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import pytest

from verkstall.core import uploads
from verkstall.core.errors import ValidationFailed
from verkstall.tooling.testing import refuse_zip_member_reads, zip_bomb

MIB = 1024 * 1024


def small_zip(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture
def no_member_read(monkeypatch):
    """Any decompression of a member fails the test: the check must come before it."""

    refuse_zip_member_reads(monkeypatch)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n", uploads.PDF),
        (b"\x89PNG\r\n\x1a\n....", uploads.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", uploads.JPEG),
        (b"II*\x00\x08\x00", uploads.TIFF),
        (b"MM\x00*\x00\x00", uploads.TIFF),
        (b"PK\x03\x04\x14\x00", uploads.ZIP),
        (b"<!DOCTYPE html><html><script>alert(1)</script>", uploads.HTML),
        (b"\xef\xbb\xbf  \n<html><body>", uploads.HTML),
        ("<html><script>".encode("utf-16"), uploads.HTML),
        (b"<script>alert(1)</script>", uploads.HTML),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="x()">',
            uploads.SVG,
        ),
        (b"<svg onload=alert(1)>", uploads.SVG),
        (b'<?xml version="1.0"?><note/>', uploads.XML),
        (b"MZ\x90\x00", None),
        (b"", None),
    ],
)
def test_content_is_named_by_its_first_bytes(head, expected):  # issue 11 (Low: uploads), R10.2
    assert uploads.sniff_content_type(head) == expected


def test_a_download_keeps_its_type_only_when_the_content_has_it():  # issue 11 (Low: uploads), R10.2
    assert uploads.served_content_type(b"%PDF-1.4", "application/pdf") == "application/pdf"
    # Stored as a PDF before content was checked, but a page: a plain download.
    assert uploads.served_content_type(b"<html>", "application/pdf") == "application/octet-stream"
    assert uploads.served_content_type(b"<svg>", "image/svg+xml") == "application/octet-stream"
    assert uploads.served_content_type(b"\x89PNG\r\n\x1a\n", "image/jpeg") == (
        "application/octet-stream"
    )


def test_a_zip_bomb_is_refused_from_its_directory_before_any_member_is_read(
    no_member_read,
):  # issue 11 (Medium: zip bomb), R10.2
    bomb = zip_bomb("content.xml", 200 * MIB)
    assert len(bomb) < 1 * MIB  # 200 MB of zeros in a few hundred KB
    tracemalloc.start()
    try:
        with pytest.raises(ValidationFailed) as refused:
            uploads.open_zip(bomb, field="document")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "zip-bomb" in refused.value.errors["document"][0]
    assert peak < 5 * MIB


def test_a_member_compressed_beyond_the_ratio_is_refused(no_member_read):  # issue 11, R10.2
    bomb = zip_bomb("a.xml", 2 * MIB)  # 2 MB: far below the size limit, ratio about 1000
    with pytest.raises(ValidationFailed, match="hårt packad"):
        uploads.open_zip(bomb, field="file")


def test_small_parts_that_compress_well_are_not_judged_by_ratio():  # issue 11, R10.2
    data = small_zip({"content.xml": b" " * 200_000})  # ratio ~ 1000, but only 200 KB
    with uploads.open_zip(data, field="file") as archive:
        assert uploads.read_member(archive, "content.xml", limit=MIB) == b" " * 200_000


def test_the_limits_are_settings(settings, no_member_read):  # issue 11, R10.2
    settings.VERKSTALL_UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = 1000
    with pytest.raises(ValidationFailed, match="mer än 0 MB"):
        uploads.open_zip(small_zip({"a": b"x" * 600, "b": b"y" * 600}), field="file")


def test_too_many_members_are_refused_before_zipfile_lists_them(
    settings, monkeypatch
):  # issue 11: a 10 MB file can list some 200 000 members, R10.2
    settings.VERKSTALL_UPLOAD_ZIP_MAX_MEMBERS = 5
    data = small_zip({f"m{i}": b"" for i in range(6)})

    def refuse(*args, **kwargs):
        raise AssertionError("ZipFile built before the member count was judged")

    monkeypatch.setattr(zipfile, "ZipFile", refuse)
    with pytest.raises(ValidationFailed, match="för många delar"):
        uploads.open_zip(data, field="file")


def test_only_stored_and_deflated_members_are_accepted(no_member_read):  # issue 11, R10.2
    data = small_zip({"a.xml": b"<a/>"}, compression=zipfile.ZIP_BZIP2)
    with pytest.raises(ValidationFailed, match="packad på ett sätt som inte stöds"):
        uploads.open_zip(data, field="file")


def test_an_encrypted_member_is_refused(no_member_read):  # issue 11, R10.2
    data = bytearray(small_zip({"a.xml": b"<a/>"}))
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 0x1  # general purpose flag: encrypted
    with pytest.raises(ValidationFailed, match="krypterad"):
        uploads.open_zip(bytes(data), field="file")


def test_a_member_that_lies_about_its_size_is_never_read_beyond_it():  # issue 11, R10.2
    """The stated size bounds the reading: a member saying 100 bytes but holding 20 MB of
    zeros gives at most 100 bytes (and a CRC failure), never the 20 MB."""
    data = bytearray(zip_bomb("lie.bin", 20 * MIB))
    local, central = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    data[local + 22 : local + 26] = struct.pack("<L", 100)
    data[central + 24 : central + 28] = struct.pack("<L", 100)
    with uploads.open_zip(bytes(data), field="file") as archive:
        tracemalloc.start()
        try:
            with pytest.raises(zipfile.BadZipFile):
                uploads.read_member(archive, "lie.bin", limit=1000)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 2 * MIB
        with pytest.raises(zipfile.BadZipFile, match="larger than 50 bytes"):
            uploads.read_member(archive, "lie.bin", limit=50)


def test_not_a_zip_is_bad_zip_not_a_validation_error():  # issue 11, R10.2
    with pytest.raises(zipfile.BadZipFile):
        uploads.open_zip(b"PK\x03\x04 and then nothing", field="file")
