"""The old name of `create_api_token` (DRF's command, whose plain-text tokens are gone)."""

from __future__ import annotations

from .create_api_token import Command as CreateApiToken


class Command(CreateApiToken):
    pass
