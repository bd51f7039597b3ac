"""Domain errors, raised by services and selectors and mapped once to HTTP and to form messages.

Services never raise Django's or DRF's exceptions: the same error reaches the API
(`verkstall.core.api.exception_handler`) and the screens (`verkstall.core.views.domain_errors`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class DomainError(Exception):
    """Base of every error a business rule raises."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict:
        return {"detail": self.message, "code": self.code}


class ValidationFailed(DomainError):
    """Bad input. `errors` maps API field names to Swedish messages."""

    def __init__(self, errors: Mapping[str, str | Iterable[str]]):
        self.errors = {
            field: [msgs] if isinstance(msgs, str) else list(msgs) for field, msgs in errors.items()
        }
        first = next(iter(self.errors.values()))[0]
        super().__init__(first)

    def as_dict(self) -> dict:
        return dict(self.errors)


class NotFound(DomainError):
    """The object does not exist or the actor may not know that it exists (no 403 leak)."""

    status_code = 404
    code = "not_found"

    def __init__(self, message: str = "Hittades inte."):
        super().__init__(message)


class PermissionDenied(DomainError):
    """The actor may see the object but not do this to it."""

    status_code = 403
    code = "permission_denied"


class TransitionNotAllowed(DomainError):
    """An order action that its current state does not allow."""

    status_code = 409
    code = "transition_not_allowed"

    def __init__(self, message: str, *, state: str, action: str, allowed: list[str]):
        super().__init__(message)
        self.state = state
        self.action = action
        self.allowed = allowed

    def as_dict(self) -> dict:
        return {
            "detail": self.message,
            "code": self.code,
            "state": self.state,
            "action": self.action,
            "allowed_actions": self.allowed,
        }
