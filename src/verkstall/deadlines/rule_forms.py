"""The admin's forms and renderings for rules and rule profiles, in Swedish (SPEC R11.1, R11.4,
R11.5; issue 13 §4-§6): every word of the rule language labelled and explained with a
routine's own example and grouped as a routine says it (`RULE_FIELDSETS`), the events,
service kinds and types and channels as choices rather than raw JSON, the profile's own form,
and a rule's read-only columns (`RuleDisplay`: the routine's quoted text, whether the rule can
fire, values in Swedish). The small forms of the profile pages (try a rule, import, copy,
assign) are profile_forms.py."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.html import format_html
from django.utils.text import capfirst

from verkstall.core.errors import ValidationFailed
from verkstall.decisions.catalogue import KIND_LABELS
from verkstall.decisions.selectors import service_types

from . import services
from .event_sources import rule_reachability
from .models import PROFILE_FLAGS, THRESHOLDS, UNIT_CHOICES, Rule, RuleProfile
from .models import PROFILE_LISTS as LISTS
from .rules import CHANNEL_LABELS, CLIENT_OF_PROVIDER_LABELS, EVENT_LABELS, FREQUENCY_LABELS

EVENT_CHOICES = [(code, f"{label} ({code})") for code, label in EVENT_LABELS.items()]
KIND_CHOICES = [(kind.value, label) for kind, label in KIND_LABELS.items()]
CHANNEL_CHOICES = list(CHANNEL_LABELS.items())
FREQUENCY_CHOICES = list(FREQUENCY_LABELS.items())
CLIENT_OF_PROVIDER_CHOICES = list(CLIENT_OF_PROVIDER_LABELS.items())
NO_UNIT = "– ingen: rutinen säger ”snarast” utan tidsgräns –"

#: Each field of a rule as the admin names it (the model's own names where they say it).
RULE_LABELS = {
    "profile": "regelprofil",
    "code": "kod",
    "name": "vad som ska vara klart",
    "subject": "gäller",
    "responsible": "ansvarig",
    "amount": "antal",
    "unit": "enhet",
    "count_from_next_day": "dag ett är dagen efter händelsen",
    "end_inclusive": "sista dagen ingår",
    "roll_to_weekday": "flyttas till nästa vardag",
    "due_time": "senast klockan",
    "start_event": "startar vid",
    "receipt_window": "räknas från nästa öppning",
    "opens_at": "öppnar klockan",
    "closes_at": "stänger klockan",
    "cutoff_time": "samma dag om före klockan",
    "cutoff_day": "räknas till nästa månad efter dag",
    "stop_by": "bedöms efter",
    "stop_events": "klar vid",
    "repeats": "återkommande",
    "service_kinds": "bara insatsslag",
    "service_types": "bara insatstyper",
    "excluded_service_kinds": "utom insatsslag",
    "excluded_service_types": "utom insatstyper",
    "first_order_only": "bara ny brukares första beställning",
    "daily_only": "bara insatser som ges dagligen",
    "service_frequencies": "bara insatser som ges med frekvensen",
    "client_of_provider": "kund hos utföraren",
    "channels": "bara beställningar som gått via",
    "source": "källa",
    "source_text": "rutinens text",
    "on_miss": "om fristen missas",
}

#: What each word means, with an example from a routine (R11.4).
RULE_HELP = {
    "profile": "Profilen regeln hör till. En regel stannar i sin profil.",
    "code": "Regelns kod i profilen, t.ex. kvittens-och-start: bokstäver a–z, siffror och "
    "bindestreck. Används av kommandot `due` och i exporten.",
    "name": "Det som ska göras, som det syns i bevakningslistan, t.ex. ”Beställningen "
    "kvitterad och startdatum meddelat”.",
    "subject": "Om klockan gäller en beställning (till utföraren) eller ett beslut (t.ex. "
    "”brukaren väljer utförare inom 2 månader från beslutet”).",
    "responsible": "Vem som ska se till att det blir gjort: bevakningen hamnar i den "
    "ansvariges lista.",
    "amount": "Fristens längd i vald enhet: 3 för ”inom 3 vardagar”, 24 för ”inom 24 "
    "timmar”, 0 för ”samma dag”. För ”dag N i månaden” dagens nummer (5 för ”senast den 5:e "
    "i månaden efter”), för ”N:e vardagen” vilken vardag (3 för ”tredje vardagen”), för ”N:e "
    "sista vardagen” 1 för den sista. Lämna antal och enhet tomma när rutinen säger "
    "”snarast” utan tidsgräns.",
    "unit": "Vad som räknas. Timmar: dygnet runt (”inom 48 timmar”). Timmar räknat på "
    "vardagar: helger och helgdagar räknas inte (”24 timmar räknat på vardagar”). Timmar "
    "inom öppettiden: bara tiden mellan öppnar och stänger på vardagar (”inom 8 "
    "kontorstimmar”). Dagar: kalenderdagar. Vardagar och arbetsdagar: måndag–fredag utom "
    "helgdagar, midsommar-, jul- och nyårsafton. Dag N, N:e vardagen och N:e sista vardagen "
    "i samma månad eller månaden efter: ett datum i månaden (”senast sista vardagen i "
    "månaden efter”).",
    "count_from_next_day": "Ikryssat: dagen efter händelsen är dag ett (”inom 3 dagar” från "
    "en måndag går ut torsdag). Ej ikryssat: händelsens egen dag är dag ett (”inom 3 dagar "
    "räknat från beslutsdagen” går ut onsdag). För timmar: ikryssat börjar klockan vid "
    "midnatt (”48 timmar räknat från dagen efter”). Gäller inte dag N i månaden.",
    "end_inclusive": "Ikryssat: fristen går ut när sista dagen är slut (”senast den 5:e”). "
    "Ej ikryssat: det ska vara gjort före sista dagen (”före den 5:e” = senast den 4:e). "
    "Gäller inte timmar.",
    "roll_to_weekday": "Ikryssat: en frist som slutar på en lördag, söndag eller helgdag "
    "flyttas till nästa vardag (lagen 1930:173 om beräkning av lagstadgad tid). Ej "
    "ikryssat: den gäller som den faller, t.ex. när rutinen säger ”inom 3 dagar” utan mer. "
    "Förklaringen säger vilket som gäller.",
    "due_time": "Fristen går ut vid denna tid på sista dagen i stället för vid dagens slut "
    "(”senast kl. 12.00 dagen efter”). Tomt: dagens slut. Gäller inte timmar.",
    "start_event": "Händelsen som startar klockan, t.ex. ”Beställningen skickades”, eller "
    "”Beställningen kom fram till utföraren” för en klocka från mottagandet (för post och fax "
    "det registrerade ankomstdatumet, inte när den skickades).",
    "receipt_window": "Ikryssat: en händelse utanför mottagarens öppettider räknas som om "
    "den skedde vid nästa öppning (”beställningar som kommer efter kl. 17 eller en helgdag "
    "räknas från nästa vardag kl. 8”). Kräver öppnar och stänger.",
    "opens_at": "Mottagarens öppettid på vardagar (TT:MM), för mottagningsfönstret och för "
    "enheten ”timmar inom öppettiden”, t.ex. 08:00.",
    "closes_at": "När mottagaren stänger på vardagar (TT:MM), t.ex. 17:00.",
    "cutoff_time": "Händelser från denna tid räknas från nästa dag. Med antal 0 dagar: "
    "”samma dag om kontakt sker före kl. 11, annars nästa dag”. Gäller inte timmar.",
    "cutoff_day": "En dag i månaden (1-31): en händelse efter den dagen räknas från den 1:a "
    "i nästa månad (”anmälan som kommer in senast den 20:e ger ny utförare senast månaden "
    "efter; kommer den senare, månaden därpå”). Gäller inte timmar.",
    "stop_by": "Om fristen är hållen bedöms efter när det hände (ett startdatum som "
    "registreras sent räknas från startdagen) eller efter när det registrerades (”ska vara "
    "registrerat senast den 5:e i månaden efter”).",
    "stop_events": "Händelserna som gör fristen klar; den första som kommer gäller.",
    "repeats": "Ikryssat: klockan börjar om efter varje klar-händelse (”uppföljning minst "
    "en gång per år”, varje in- och utskrivningsmeddelande kvitteras).",
    "service_kinds": "Regeln gäller bara beställningar med något av dessa insatsslag. Tomt "
    "tillsammans med insatstyper: alla insatser.",
    "service_types": "Regeln gäller bara dessa insatstyper (utöver insatsslagen ovan).",
    "excluded_service_kinds": "Regeln gäller inte beställningar med dessa insatsslag, t.ex. "
    "”gäller inte särskilt boende, korttidsplats eller växelvård”.",
    "excluded_service_types": "Regeln gäller inte dessa insatstyper.",
    "first_order_only": "Bara en ny brukares första beställning i kommunen (”vid ny brukare "
    "ska utföraren ta kontakt inom 24 timmar”).",
    "daily_only": "Bara beställningar med en insats som ges varje dag (”dagliga insatser "
    "ska verkställas inom 3 dagar”).",
    "service_frequencies": "Bara beställningar vars tätaste insats ges så ofta (”dagliga "
    "insatser verkställs inom 3 dagar och övriga insatser inom aktuell frekvens”: en regel för "
    "dagliga insatser, en för varje vecka med fristen en vecka, och så vidare). Dagligen är "
    "varje dag, även två gånger om dagen. Frekvensen läses ur beslutet: besök per dag eller "
    "7 dagar i veckan är dagligen; annars frekvenstexten (”morgon och kväll”, ”varannan "
    "vecka”), annars omfattningens enhet (per vecka, per månad). Tomt: alla.",
    "client_of_provider": "Bara en ny kund hos utföraren (klientens första beställning hos "
    "den utföraren, makulerade oräknade: ”skickas senast inom 3 månader vid ny kund”), eller "
    "bara en kund som utföraren redan har. Alla: båda.",
    "channels": "Bara beställningar som gått till utföraren på dessa sätt (”beställningar som "
    "skickas med post eller fax”). Tomt: alla.",
    "source": "Var i rutinen regeln står, t.ex. ”002 §Verkställighet”.",
    "source_text": "Rutinens egen mening, ordagrant, t.ex. ”Utföraren ska kvittera "
    "beställningen inom 24 timmar räknat på vardagar.” Visas bredvid regeln.",
    "on_miss": "Vad rutinen säger händer när fristen missas, t.ex. ”Handläggaren kontaktar "
    "utföraren”.",
}


RULE_FIELDSETS = (
    ("Regel", {"fields": ("profile", "code", "name", "subject", "responsible")}),
    (
        "Frist",
        {
            "fields": (
                "routine_text",
                "amount",
                "unit",
                "count_from_next_day",
                "end_inclusive",
                "roll_to_weekday",
                "due_time",
            )
        },
    ),
    (
        "Räknas från",
        {
            "fields": (
                "start_event",
                "receipt_window",
                "opens_at",
                "closes_at",
                "cutoff_time",
                "cutoff_day",
                "stop_by",
            )
        },
    ),
    ("Klar när", {"fields": ("stop_events", "repeats", "reachability_detail")}),
    (
        "Gäller",
        {
            "fields": (
                "service_kinds",
                "service_types",
                "excluded_service_kinds",
                "excluded_service_types",
                "first_order_only",
                "daily_only",
                "service_frequencies",
                "client_of_provider",
                "channels",
            )
        },
    ),
    ("Rutinens text", {"fields": ("source", "source_text", "on_miss")}),
    ("Version", {"fields": ("version", "changed")}),
)


def service_type_choices(keep=()) -> list[tuple[str, str]]:
    """The catalogue's service types; codes in `keep` the catalogue no longer lists stay."""
    choices = [(t.code, f"{t.name} ({t.code})") for t in service_types()]
    known = {code for code, _ in choices}
    choices += [(code, code) for code in keep if code not in known]
    return choices


def _checkboxes(choices=(), *, required=False) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices, required=required, widget=forms.CheckboxSelectMultiple
    )


class RuleForm(forms.ModelForm):
    """A rule, checked as a whole the way the engine will read it (services.check_rule); an
    error goes to the field at fault (rules.RuleError.field), in Swedish."""

    start_event = forms.ChoiceField(choices=EVENT_CHOICES)
    stop_events = _checkboxes(EVENT_CHOICES, required=True)
    service_kinds = _checkboxes(KIND_CHOICES)
    service_types = _checkboxes()
    excluded_service_kinds = _checkboxes(KIND_CHOICES)
    excluded_service_types = _checkboxes()
    channels = _checkboxes(CHANNEL_CHOICES)
    service_frequencies = _checkboxes(FREQUENCY_CHOICES)

    class Meta:
        model = Rule
        fields = tuple(RULE_LABELS)
        labels = RULE_LABELS
        help_texts = RULE_HELP

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.label = capfirst(RULE_LABELS.get(name, field.label))
            field.help_text = RULE_HELP.get(name, field.help_text)
        for name in ("service_types", "excluded_service_types"):
            if name in self.fields:
                self.fields[name].choices = service_type_choices(self.initial.get(name) or ())
        if "unit" in self.fields:
            self.fields["unit"].choices = [("", NO_UNIT), *UNIT_CHOICES]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = self.instance.as_dict() if self.instance.pk else {}
        values.update({k: v for k, v in data.items() if k in RULE_LABELS and k != "profile"})
        values["unit"] = values.get("unit") or None
        try:
            services.check_rule(values)
        except ValidationFailed as exc:
            prefix = f"{values.get('code')}: "
            for field, messages in exc.errors.items():
                target = field if field in self.fields else None
                for message in messages:
                    self.add_error(target, message.removeprefix(prefix))
        return data


PROFILE_HELP = {
    "slug": "Profilens kod, t.ex. gotland: bokstäver a–z, siffror och bindestreck. Används i "
    "exporten och av kommandona `due` och `check_profile`.",
    "name": "Profilens namn, t.ex. ”Region Gotland – hemtjänst”.",
    "sources": "Vilken rutin profilen bygger på, t.ex. ”Rutin för verkställighet, 2025”.",
}


class ProfileForm(forms.ModelForm):
    """A profile: its thresholds within the limits `services.update_profile` keeps (R11.4),
    so that a bad value is named at its field."""

    class Meta:
        model = RuleProfile
        fields = ("slug", "name", "sources", "owner", "is_library", "includes", *THRESHOLDS)
        fields += (*LISTS, *PROFILE_FLAGS)
        help_texts = PROFILE_HELP

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in services.THRESHOLD_LIMITS.items():
            field = self.fields.get(name)
            if field is not None:
                field.validators += [MinValueValidator(low), MaxValueValidator(high)]
                field.widget.attrs.update(min=low, max=high)


# --- Read-only renderings (the rule pages and the profile page's rule list) -------------


KINDS = dict(KIND_CHOICES)
QUOTE_COLUMN_LENGTH = 160


def reachability_text(rule: Rule) -> str:
    """ "Ja / Nej – ingen registrerar ”Larm installerat” ..." (issue 13 §4)."""
    reach = rule_reachability(rule)
    text = f"{'Ja' if reach.starts else 'Nej'} / {'Ja' if reach.stops else 'Nej'}"
    if reach.problem:
        text += " – " + reach.problem.split(": ", 1)[-1].rstrip(".")
    return text


def quote(rule: Rule, length: int | None = None):
    """The routine's own words for the rule, quoted, with where they stand."""
    text = rule.source_text or ""
    if length is not None and len(text) > length:
        text = text[: length - 1].rstrip() + "…"
    if not text:
        return format_html("<em>{}</em> ({})", "Ingen citerad text", rule.source)
    return format_html("<q>{}</q> ({})", text, rule.source)


class RuleDisplay:
    """Columns and read-only renderings of a rule shared by the rule pages and the profile
    page's rule list: values in Swedish, never raw codes."""

    @admin.display(description="frist")
    def length(self, rule: Rule) -> str:
        return rule.spec().length_text()

    @admin.display(description="kan starta / kan bli klar")
    def reachability(self, rule: Rule) -> str:
        return reachability_text(rule)

    @admin.display(description="rutinens text")
    def routine_quote(self, rule: Rule):
        return quote(rule, QUOTE_COLUMN_LENGTH)

    @admin.display(description=RULE_LABELS["start_event"])
    def start_event_text(self, rule: Rule) -> str:
        return EVENT_LABELS.get(rule.start_event, rule.start_event)

    @admin.display(description=RULE_LABELS["stop_events"])
    def stop_events_text(self, rule: Rule) -> str:
        return ", ".join(EVENT_LABELS.get(e, e) for e in rule.stop_events) or "–"

    @admin.display(description=RULE_LABELS["service_kinds"])
    def service_kinds_text(self, rule: Rule) -> str:
        return ", ".join(KINDS.get(k, k) for k in rule.service_kinds) or "–"

    @admin.display(description=RULE_LABELS["service_types"])
    def service_types_text(self, rule: Rule) -> str:
        return ", ".join(rule.service_types) or "–"

    @admin.display(description=RULE_LABELS["excluded_service_kinds"])
    def excluded_service_kinds_text(self, rule: Rule) -> str:
        return ", ".join(KINDS.get(k, k) for k in rule.excluded_service_kinds) or "–"

    @admin.display(description=RULE_LABELS["excluded_service_types"])
    def excluded_service_types_text(self, rule: Rule) -> str:
        return ", ".join(rule.excluded_service_types) or "–"

    @admin.display(description=RULE_LABELS["channels"])
    def channels_text(self, rule: Rule) -> str:
        return ", ".join(CHANNEL_LABELS.get(c, c) for c in rule.channels) or "alla"

    @admin.display(description=RULE_LABELS["service_frequencies"])
    def service_frequencies_text(self, rule: Rule) -> str:
        return ", ".join(FREQUENCY_LABELS.get(f, f) for f in rule.service_frequencies) or "alla"

    @admin.display(description=RULE_LABELS["client_of_provider"])
    def client_of_provider_text(self, rule: Rule) -> str:
        return CLIENT_OF_PROVIDER_LABELS.get(rule.client_of_provider, rule.client_of_provider)


# A field shown read-only (a page the reader may not change) as its Swedish rendering.
READ_ONLY_AS = {
    "start_event": "start_event_text",
    "stop_events": "stop_events_text",
    "service_kinds": "service_kinds_text",
    "service_types": "service_types_text",
    "excluded_service_kinds": "excluded_service_kinds_text",
    "excluded_service_types": "excluded_service_types_text",
    "channels": "channels_text",
    "service_frequencies": "service_frequencies_text",
    "client_of_provider": "client_of_provider_text",
}


# --- Due items, read-only for the system administrator, in Swedish -----------------------

#: A due item's fields as its read-only admin page names them (the model has no Swedish names).
DUE_ITEM_LABELS = {
    "rule": "regel",
    "rule_version": "regelns version",
    "subject_key": "gäller (nyckel)",
    "cycle": "omgång",
    "order_id": "beställning (id)",
    "decision_id": "beslut (id)",
    "person_id": "person (id)",
    "responsible": "ansvarig",
    "start_event": "starthändelse",
    "started_at": "startade",
    "start_recorded_at": "start registrerad",
    "due_date": "sista dag",
    "due_at": "förfaller",
    "status": "status",
    "met_at": "klar",
    "updated_at": "senast beräknad",
}


def labelled(field: str):
    """A read-only column showing `field` (its choice label, if it has choices) under its
    Swedish name."""

    @admin.display(description=DUE_ITEM_LABELS[field], ordering=field)
    def show(self, obj):
        display = getattr(obj, f"get_{field}_display", None)
        if display is not None:
            return display()
        if field == "start_event":
            return EVENT_LABELS.get(obj.start_event, obj.start_event)
        return getattr(obj, field)

    show.__name__ = f"{field}_shown"
    return show


#: The columns `labelled` makes, one per field, as a mixin for the due items' admin.
DueItemColumns = type(
    "DueItemColumns", (), {f"{field}_shown": labelled(field) for field in DUE_ITEM_LABELS}
)


def titled(filter_class, title: str):
    """`filter_class` with a Swedish title."""
    return type(f"Titled{filter_class.__name__}", (filter_class,), {"title": title})
