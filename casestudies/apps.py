from django.apps import AppConfig


class CaseStudiesConfig(AppConfig):
    name = "casestudies"
    verbose_name = "Case studies"

    def ready(self):
        from clinic import pagecache

        from .models import CaseStudy, PainMeasurement, TreatmentStep

        # What the public pages show: any write to these retires the cached pages (clinic.pagecache).
        pagecache.retire_on_writes(CaseStudy, PainMeasurement, TreatmentStep)
