"""Builders for tests: small, explicit, and only Skatteverket-range test personnummer."""

from __future__ import annotations

import io
import itertools
import zipfile
from datetime import date

from verkstall.access.models import Municipality, Unit, User
from verkstall.access.roles import Role
from verkstall.core.personal_number import make_test_personal_number
from verkstall.providers.models import Area, Channel, Provider, ProviderUnit

_seq = itertools.count(1)


def municipality(code: str | None = None, name: str | None = None, profile="stockholm-hv"):
    n = next(_seq)
    return Municipality.objects.create(
        code=code or f"{1000 + n % 8000:04d}", name=name or f"Testkommun {n}", rule_profile=profile
    )


def unit(muni, name: str | None = None) -> Unit:
    return Unit.objects.create(municipality=muni, name=name or f"Biståndsenheten {next(_seq)}")


def provider(muni, name: str | None = None, *, connected: bool = True, channel=None) -> Provider:
    if channel is None:
        channel = Channel.SYSTEM if connected else Channel.FAX
    return Provider.objects.create(
        municipality=muni,
        name=name or f"Utförare {next(_seq)} AB",
        is_connected=connected,
        channel=channel,
    )


def provider_unit(prov, name: str = "Enhet 1") -> ProviderUnit:
    return ProviderUnit.objects.create(
        municipality=prov.municipality, provider=prov, name=name, manager_name="Enhetschef"
    )


def area(muni, name: str | None = None) -> Area:
    return Area.objects.create(municipality=muni, name=name or f"Område {next(_seq)}")


def user(role: Role, muni, *, unit=None, provider=None, username=None, password="pw-test-123"):
    u = User(
        username=username or f"{role.value}-{next(_seq)}",
        first_name="Test",
        last_name=role.value,
        role=role.value,
        municipality=muni,
        unit=unit,
        provider=provider,
    )
    u.set_password(password)
    u.save()
    return u


def test_number(index: int | None = None) -> str:
    """A unique valid personnummer in Skatteverket's test range (birth numbers 980-999)."""
    i = next(_seq) if index is None else index
    born = date(1930, 1, 1).fromordinal(date(1930, 1, 1).toordinal() + (i * 37) % 20000)
    return make_test_personal_number(born, 980 + i % 20).formatted()


def zip_bomb(
    name: str = "content.xml", size: int = 200 * 1024 * 1024, *, before: dict | None = None
) -> bytes:
    """A real zip bomb (issue 11): member `name` holds `size` zero bytes, deflated about
    1000:1 (200 MB become some 200 KB), written in 1 MiB chunks so that building it allocates
    little. The small members in `before` come first (e.g. an ODT's or XLSX's own parts)."""
    buffer = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member, data in (before or {}).items():
            archive.writestr(member, data)
        with archive.open(name, "w", force_zip64=size >= 2**31) as out:
            for _ in range(size // len(chunk)):
                out.write(chunk)
            out.write(bytes(size % len(chunk)))
    return buffer.getvalue()


def refuse_zip_member_reads(monkeypatch) -> None:
    """From here on, opening any zip member for reading fails the test (ZipFile.read opens
    too; writing still works): proof that an archive is judged before it is decompressed."""
    opened = zipfile.ZipFile.open

    def open_for_writing_only(self, name, mode="r", *args, **kwargs):
        if mode == "r":
            raise AssertionError("a zip member was read before the archive was judged")
        return opened(self, name, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", open_for_writing_only)


def models_reaching_a_client() -> set:
    """Every installed model that points at a client through foreign keys, directly or via an
    order, a decision, a granted service or any other model that does (the model graph; for
    the tests that hold the client-bearing declaration and retention to it)."""
    from django.apps import apps
    from django.contrib.admin.models import LogEntry

    from verkstall.people.models import Person

    found = {Person}
    changed = True
    while changed:
        changed = False
        for model in apps.get_models(include_auto_created=True):
            if model in found or model is LogEntry:
                continue
            targets = {
                f.related_model
                for f in model._meta.get_fields()
                if (f.many_to_one or f.one_to_one) and f.concrete and f.related_model
            }
            if targets & found:
                found.add(model)
                changed = True
    return found


def confirmed(data: dict | None = None) -> dict:
    """A screen POST's body with the explicit confirmation that an action which asks first
    carries (send, end, cancel, assignment by rotation: core/confirm_views.py, issue 17 item
    3); without it the screen shows the confirmation page and does nothing."""
    from verkstall.core.confirm_views import CONFIRM_FIELD, CONFIRM_VALUE

    return {**(data or {}), CONFIRM_FIELD: CONFIRM_VALUE}
