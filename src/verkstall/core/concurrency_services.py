"""The version check under the row's lock (core/concurrency.py, issue 18 item 1)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction

from .concurrency import VERSION_FIELD, VersionConflict, Versioning, conflict, form_message


def check_version(spec: Versioning, pk, expected: Iterable[int] | None, *, form: bool = False):
    """Lock the row (SELECT ... FOR UPDATE, held to the end of the request's transaction, which
    the service then writes in) and refuse with VersionConflict (409) when its version is not
    one of `expected`. None: no condition. `form`: the message as a form says it."""
    if expected is None:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("check_version outside a transaction would hold no lock.")
    row = spec.model._default_manager.select_for_update(of=("self",)).get(pk=pk)
    found = conflict(spec, row, expected)
    if found is not None:
        if form:
            found.message = form_message(found, spec.noun)
        raise found


def versioned_action(form, spec: Versioning, pk, action: Callable[[dict], object]):
    """A form's action (core.views.run_form) that first checks the version the form was opened
    at (`with_version`) against the row `pk`; the version is taken out of the data the action
    gets. On a conflict the form keeps what was typed, says what changed at its top, and
    carries the current version, so the next submit, after reading it, saves."""

    def run(data: dict):
        posted = data.pop(VERSION_FIELD, None)
        try:
            check_version(spec, pk, None if posted is None else {posted}, form=True)
        except VersionConflict as exc:
            bound = form.data.copy()
            bound[form.add_prefix(VERSION_FIELD)] = str(exc.current_version)
            form.data = bound
            raise
        return action(data)

    return run
