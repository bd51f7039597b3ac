"""The request bodies of the order API's writes (orders/api.py answers with the order)."""

from __future__ import annotations

from rest_framework import serializers

from verkstall.core.date_fields import BoundedDateField, BoundedDateTimeField

from . import correction_services
from .models import EndReason, ReplyChannel
from .services import CANCEL_REASON_MISSING


class OrderCreateSerializer(serializers.Serializer):
    decision = serializers.IntegerField()
    provider = serializers.IntegerField()
    provider_unit = serializers.IntegerField(required=False, allow_null=True)
    services = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Granted service ids of the decision; default all of them.",
    )
    instructions = serializers.CharField(required=False, allow_blank=True)
    acute_oral_at = BoundedDateTimeField(
        required=False,
        allow_null=True,
        help_text="When an acute oral order was given, if one came first (R3.2).",
    )


class SendSerializer(serializers.Serializer):
    written_on = BoundedDateField(
        required=False, help_text="The order's date; never earlier than today (R3.2)."
    )


ON_BEHALF_HELP = "How the reply came in, when registered for a provider not connected (R3.3)."


class AcknowledgeSerializer(serializers.Serializer):
    occurred_at = BoundedDateTimeField(required=False)
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class StartSerializer(serializers.Serializer):
    start_date = BoundedDateField()
    booked_staff = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The staff member booked for the service (R3.6, seed 003): required when "
        "the municipality's routine names the booked staff for the order's service kind "
        "(its rule profile's booked_staff_service_kinds, e.g. housing support in Solna).",
    )
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class EndSerializer(serializers.Serializer):
    end_date = BoundedDateField()
    end_reason = serializers.ChoiceField(
        choices=EndReason.choices,
        help_text="Why the service ends: moved, died, declined, needs_changed or other (seed "
        "004). A death ends every order of the client at once: POST /api/client-deaths/.",
    )
    note = serializers.CharField(required=False, allow_blank=True)
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class ReceiptSerializer(serializers.Serializer):
    received_on = BoundedDateField(
        help_text="The day an order sent by post or fax reached the provider (R11.4): not "
        "before it was sent, not in the future; once per sending."
    )


class CorrectDateSerializer(serializers.Serializer):
    which = serializers.ChoiceField(
        choices=list(correction_services.LABEL.items()),
        help_text="Which registered date is corrected: the start date or the end date.",
    )
    date = BoundedDateField(
        help_text="The right date: not in the future; a start not before the order, an end "
        "not before the start (R9.1)."
    )
    reason = serializers.CharField(help_text="Why the date is corrected (required).")
    channel = serializers.ChoiceField(
        choices=ReplyChannel.choices, required=False, help_text=ON_BEHALF_HELP
    )


class DraftCorrectionSerializer(serializers.Serializer):
    """What a draft correction may change (R1.1); a field left out stays as it is."""

    provider = serializers.IntegerField(required=False)
    provider_unit = serializers.IntegerField(
        required=False, allow_null=True, help_text="null clears the provider's unit."
    )
    services = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Granted service ids of the decision.",
    )
    instructions = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(max_length=300, help_text="Why the draft is corrected.")


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        help_text="Why the order is withdrawn (makulering): required for every order, a draft's "
        "too (issue 17 item 3); missing or blank is a 400 on `reason`.",
        error_messages={key: CANCEL_REASON_MISSING for key in ("required", "blank", "null")},
    )
