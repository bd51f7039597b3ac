"""Date and time fields for serializers and forms that refuse dates outside the window of
`core.dates` (issue 11), with the services' Swedish message under the field's own name.

Every date or time field of an API serializer or a screen's form is one of these:
`tests/test_date_bounds.py` walks every serializer and form of the project and fails on a
plain `DateField` or `DateTimeField` that takes input.
"""

from __future__ import annotations

import contextlib

from django import forms
from django.core.exceptions import ValidationError as FormValidationError
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from .dates import date_in_window, moment_in_window, window_message


class BoundedDateField(serializers.DateField):
    """A serializer's date: 400 with the field's name outside the window."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not date_in_window(day):
            raise serializers.ValidationError(window_message())
        return day


class BoundedDateTimeField(serializers.DateTimeField):
    """A serializer's moment: outside the window is a 400. An ISO string is checked as written,
    before DRF attaches or converts the time zone (a naive `0001-01-01T00:00:00` overflowed on
    its way to UTC); the parsed moment is checked again. Output is never checked."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            with contextlib.suppress(ValueError, TypeError):
                parsed = parse_datetime(value)
                if parsed is not None and not moment_in_window(parsed):
                    raise serializers.ValidationError(window_message(moment=True))
        moment = super().to_internal_value(value)
        if not moment_in_window(moment):
            raise serializers.ValidationError(window_message(moment=True))
        return moment


class BoundedFormDateField(forms.DateField):
    """A form's date: a form error on the field outside the window."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not date_in_window(value):
            raise FormValidationError(window_message(), code="out_of_window")


class BoundedFormDateTimeField(forms.DateTimeField):
    """A form's moment: a form error on the field outside the window. The entered (naive)
    time is only made aware in local time before the check, never converted, so a time near
    year 1 or 9999 cannot overflow."""

    def validate(self, value):
        super().validate(value)
        if value is not None and not moment_in_window(value):
            raise FormValidationError(window_message(moment=True), code="out_of_window")
