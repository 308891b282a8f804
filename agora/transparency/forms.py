"""The period of a transparency report, as chosen on the public page."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_DAYS = 3 * 366


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    @staticmethod
    def default_period(today: datetime.date | None = None) -> dict[str, datetime.date]:
        """This calendar year so far (DSA reports cover calendar years)."""
        today = today or timezone.localdate()
        return {"start": today.replace(month=1, day=1), "end": today}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The period must end on or after its first day."))
            elif (end - start).days > MAX_DAYS:
                self.add_error("end", _("Choose a period of at most three years."))
            elif start.year < 2000:
                self.add_error("start", _("Choose a date from the year 2000 on."))
        return data
