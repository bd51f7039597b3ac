"""API token authentication (issue 11): `Authorization: Token <key>`, as before, against keys
stored only as SHA-256 hashes (access.models.ApiToken) that expire and can be revoked.

A subclass of DRF's TokenAuthentication for the header parsing and the `WWW-Authenticate:
Token` challenge (and so drf-spectacular documents it as `tokenAuth`, unchanged); only the
look-up differs. DRF's own token model (rest_framework.authtoken) is not installed.
"""

from __future__ import annotations

from rest_framework import authentication, exceptions

from verkstall.core import clock

from . import token_selectors, token_services

# Longer than any key we issue (43 characters): refused before hashing or querying.
MAX_KEY_LENGTH = 100


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = token_selectors.token_for_key(key) if len(key) <= MAX_KEY_LENGTH else None
        # One message for every refusal: a caller learns nothing about which keys exist.
        invalid = exceptions.AuthenticationFailed("Ogiltig, utgången eller återkallad nyckel.")
        if token is None or token.revoked_at is not None or token.expires_at <= clock.now():
            raise invalid
        if not token.user.is_active:
            raise invalid
        token_services.note_use(token)
        return (token.user, token)
