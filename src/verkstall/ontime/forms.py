"""The statistics page's filter (GET): month range, rule, provider."""

from __future__ import annotations

from django import forms

from verkstall.core.errors import ValidationFailed

from . import figures, selectors


class MonthInput(forms.TextInput):
    input_type = "month"


class FilterForm(forms.Form):
    first = forms.CharField(label="Från månad", required=False, widget=MonthInput)
    last = forms.CharField(label="Till och med månad", required=False, widget=MonthInput)
    rule = forms.ChoiceField(label="Frist", required=False)
    provider = forms.ChoiceField(label="Utförare", required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["rule"].choices = [("", "Alla frister"), *selectors.rule_choices(user)]
        providers = selectors.provider_choices(user)
        if providers:
            self.fields["provider"].choices = [
                ("", "Alla utförare"),
                *((str(pk), name) for pk, name in providers),
            ]
        else:
            del self.fields["provider"]

    def _month(self, name):
        text = self.cleaned_data.get(name) or ""
        if not text:
            return None
        try:
            return figures.parse_month(text)
        except ValueError:
            self.add_error(name, "Ange en månad som ÅÅÅÅ-MM.")
            return None

    def filters(self) -> selectors.Filters:
        """The filters asked for, the defaults where none; ValidationFailed if invalid."""
        default = selectors.Filters.default()
        if not self.is_valid():
            raise ValidationFailed({k: " ".join(v) for k, v in self.errors.items()})
        first, last = self._month("first"), self._month("last")
        if self.errors:
            raise ValidationFailed({k: " ".join(v) for k, v in self.errors.items()})
        last = last or default.last
        first = first or figures.add_months(last, -(selectors.DEFAULT_MONTHS - 1))
        if first > last:
            raise ValidationFailed({"first": "Från-månaden ligger efter till-månaden."})
        if figures.months_between(first, last) > selectors.MAX_MONTHS:
            raise ValidationFailed(
                {"first": f"Välj högst {selectors.MAX_MONTHS} månader åt gången."}
            )
        provider = self.cleaned_data.get("provider")
        return selectors.Filters(
            first=first,
            last=last,
            rule_code=self.cleaned_data.get("rule") or "",
            provider_id=int(provider) if provider else None,
        )
