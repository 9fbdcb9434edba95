from django import forms

from .models import INTENSITY_MAX, PainMeasurement


class PainMeasurementForm(forms.ModelForm):
    """The admin's form for one pain figure: 0-10 and 0-100% are enforced here and by the model."""

    class Meta:
        model = PainMeasurement
        fields = ["knee", "point_order", "point_label", "intensity", "frequency", "knee_given", "stated_as"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("intensity") is None and cleaned.get("frequency") is None and not self.errors:
            raise forms.ValidationError(
                f"Give a pain intensity (0–{INTENSITY_MAX}), a pain frequency (0–100%) or both, "
                "or remove this row: record only what the source states."
            )
        return cleaned
