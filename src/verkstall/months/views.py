"""Screens of the month (SPEC R9.1): what a provider or an officer unit still has to register
or check for a month before its deadline, each row linking to where it is fixed; and the LOV
administrator's month settings (the reminder days)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from verkstall.core.dates import day_text
from verkstall.core.views import run_form
from verkstall.payments.selectors import registration_day

from . import selectors, services
from .forms import MonthSettingsForm
from .periods import Month, days_text, deadline_text, month_choices


@dataclass(frozen=True)
class Row:
    """One line of the month screen: whose, what, when, who fixes it and where."""

    client: str
    what: str
    when: str
    responsible: str
    url: str
    action: str
    late: bool


PROVIDER_SIDE, OFFICER_SIDE = gettext_lazy("Utförare"), gettext_lazy("Handläggare")


def _order_url(pk: int) -> str:
    return reverse("order-detail", args=[pk])


def _rows(report, user) -> list[tuple[str, str, list[Row]]]:
    """(kind, label, rows) of every kind, in the order of selectors.KINDS."""
    late = report.late
    provider_user = user.is_provider_user
    built = {
        selectors.NO_START: [
            Row(
                o.person.full_name,
                _("Beställning #%(pk)s till %(provider)s (%(state)s)")
                % {"pk": o.pk, "provider": o.provider.name, "state": o.get_state_display()},
                _("skickad %(day)s") % {"day": day_text(timezone.localdate(o.sent_at))},
                PROVIDER_SIDE,
                _order_url(o.pk),
                _("Registrera startdatum"),
                late,
            )
            for o in report.rows[selectors.NO_START]
        ],
        selectors.ABSENCE: [
            Row(
                a.order.person.full_name,
                _("%(reason)s, beställning #%(pk)s")
                % {"reason": a.get_reason_display(), "pk": a.order_id},
                _("sedan %(day)s") % {"day": day_text(a.from_date)},
                PROVIDER_SIDE,
                reverse("order-absences", args=[a.order_id]),
                _("Registrera slutdatum"),
                late,
            )
            for a in report.rows[selectors.ABSENCE]
        ],
        selectors.REASSESSMENT: [
            Row(
                i.person.full_name,
                i.rule.name,
                _("senast %(day)s") % {"day": day_text(i.due_date or timezone.localdate(i.due_at))},
                i.get_responsible_display(),
                reverse("watchlist-item", args=[i.pk]),
                _("Visa bevakningen"),
                late,
            )
            for i in report.rows[selectors.REASSESSMENT]
        ],
        selectors.CHANGE: [
            Row(
                c.order.person.full_name,
                _("Tillfällig %(kind)s, %(days)s dagar, beställning #%(pk)s")
                % {"kind": c.get_kind_display().lower(), "days": c.days, "pk": c.order_id},
                f"{day_text(c.from_date)}–{day_text(c.to_date)}",
                OFFICER_SIDE,
                _order_url(c.order_id)
                if provider_user
                else reverse("followup-page", args=[c.order_id]),
                _("Visa beställningen") if provider_user else _("Följ upp och ompröva"),
                late,
            )
            for c in report.rows[selectors.CHANGE]
        ],
        selectors.LATE_START: [
            Row(
                o.person.full_name,
                _("Startdatum %(start)s, beställning #%(pk)s")
                % {"start": day_text(o.start_date), "pk": o.pk},
                _("registrerat %(day)s")
                % {"day": day_text(timezone.localdate(o.start_registered_at))},
                PROVIDER_SIDE,
                _order_url(o.pk),
                _("Kontrollera eller korrigera datumet"),
                timezone.localdate(o.start_registered_at) > report.deadline,
            )
            for o in report.rows[selectors.LATE_START]
        ],
        selectors.NOTICE: [
            Row(
                r.order.person.full_name,
                _("%(kind)s, beställning #%(pk)s")
                % {"kind": r.notice.get_kind_display(), "pk": r.order_id},
                day_text(timezone.localdate(r.notice.occurred_at)),
                PROVIDER_SIDE,
                reverse("notice-list") if provider_user else _order_url(r.order_id),
                _("Kvittera") if provider_user else _("Visa beställningen"),
                late,
            )
            for r in report.rows[selectors.NOTICE]
        ],
    }
    return [(kind, selectors.KIND_LABELS[kind], built[kind]) for kind in selectors.KINDS]


@login_required
def month_page(request):
    """The month screen: for the previous month until its deadline, then the current one,
    or the month chosen (`?month=YYYY-MM`)."""
    user = request.user
    chosen, error = None, ""
    if request.GET.get("month"):
        try:
            chosen = Month.parse(request.GET["month"])
        except ValueError:
            error = _("Ogiltig månad; välj en månad i listan (ÅÅÅÅ-MM).")
    report = selectors.month_report(user, chosen)
    choices = month_choices(report.today)
    if report.month not in choices:
        choices.append(report.month)
    viewer = selectors.viewer_of(user)
    return render(
        request,
        "months/month.html",
        {
            "report": report,
            "kinds": _rows(report, user),
            "choices": choices,
            "error": error,
            "whose": user.organisation_name,
            "is_provider": viewer.provider_id is not None,
        },
        status=400 if error else 200,
    )


@login_required
def month_settings(request):
    """The LOV administrator's month settings: on which days before the deadline the reminder
    goes out. The deadline day is the rule profile's (shown, edited in the profile)."""
    user = request.user
    muni = user.municipality_id
    current = selectors.reminder_days(muni)
    form = MonthSettingsForm(request.POST or None, initial={"reminder_days": days_text(current)})
    if request.method == "POST":
        done = run_form(
            request,
            form,
            lambda data: services.save_month_settings(user, reminder_days=data["reminder_days"]),
            success_message=_("Månadsinställningarna är sparade."),
            redirect_to="month-settings",
            forbidden_page=True,
        )
        if done:
            return done
    day = registration_day(muni)
    example = Month.of(timezone.localdate()).previous()
    return render(
        request,
        "months/settings.html",
        {
            "form": form,
            "deadline_day": day,
            "example": example,
            "example_deadline": deadline_text(example, day),
            "sent": selectors.reminders_sent(muni)[:20],
        },
        status=400 if form.is_bound and form.errors else 200,
    )
