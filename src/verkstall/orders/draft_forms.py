"""The form that corrects a draft order (SPEC R1.1; orders/draft_correction_services.py): the
order form's fields without the acute oral order, and a reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import OrderForm


class DraftCorrectionForm(OrderForm):
    reason = forms.CharField(
        label=_("Skäl till ändringen"),
        max_length=300,
        help_text=_("Sparas i beställningens historik med det gamla och det nya."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, order=None, **kwargs):
        super().__init__(*args, decision=order.decision if order else None, **kwargs)
        del self.fields["acute_oral"]
        del self.fields["acute_oral_at"]
        if order is not None and not self.is_bound:
            self.initial.update(
                {
                    "provider": order.provider_id,
                    "provider_unit": order.provider_unit_id or "",
                    "services": [s.pk for s in order.services.all()],
                    "instructions": order.instructions,
                }
            )
            self.fields["services"].initial = self.initial["services"]

    def clean(self):
        return forms.Form.clean(self)
