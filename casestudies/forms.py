from django import forms

from .models import FREQUENCY_MAX, INTENSITY_MAX, MEASUREMENT_FIELDS, PainMeasurement


class PainMeasurementForm(forms.ModelForm):
    """The admin's form for one pain figure: 0-10 and 0-100% are enforced here and by the model."""

    class Meta:
        model = PainMeasurement
        fields = MEASUREMENT_FIELDS
        # The browser's own range check, before the server's.
        widgets = {
            "intensity": forms.NumberInput(attrs={"min": 0, "max": INTENSITY_MAX}),
            "frequency": forms.NumberInput(attrs={"min": 0, "max": FREQUENCY_MAX}),
        }

    def clean(self):
        cleaned = super().clean()
        no_figure = cleaned.get("intensity") is None and cleaned.get("frequency") is None
        if no_figure and not cleaned.get("stated_as") and not self.errors:
            raise forms.ValidationError(
                f"Give a pain intensity (0–{INTENSITY_MAX}), a pain frequency (0–{FREQUENCY_MAX}%) or both, or the "
                "source's words where it gives words and no figure (“free of pain”), or remove this row: record "
                "only what the source states."
            )
        return cleaned
