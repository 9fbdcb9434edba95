"""Reading offered after the candidacy form, chosen from what the patient told us, never from the
staff-only rubric (Inquiry.suggested_type): the thank-you page never points to one treatment, as
the clinic's guide has the staff decide that with the patient.

- Everyone: the page of all our treatments.
- Pain for a year or more, or from an old injury or wear over the years ("long-standing"): the case
  histories, which are all of long-standing knee pain, and the articles.
- Otherwise: the articles.
"""

from dataclasses import dataclass, field

from articles.models import Article
from casestudies.models import CaseStudy
from intake.models import Inquiry

LONG_STANDING_DURATIONS = {Inquiry.Duration.UNDER_5_YEARS.value, Inquiry.Duration.OVER_5_YEARS.value}
LONG_STANDING_ONSETS = {Inquiry.Onset.OLD_INJURY.value, Inquiry.Onset.WEAR.value}


@dataclass
class Reading:
    why: str  # in the patient's terms: what they told us that this reading fits
    articles: list = field(default_factory=list)
    case_studies: list = field(default_factory=list)


def reading_for(inquiry: Inquiry) -> Reading | None:
    """The reading for a candidacy inquiry (None for other kinds)."""
    if inquiry.kind != Inquiry.Kind.CANDIDATE:
        return None
    articles = list(Article.objects.published().order_by("-published_on", "title")[:6])
    if inquiry.duration in LONG_STANDING_DURATIONS or inquiry.onset in LONG_STANDING_ONSETS:
        return Reading(
            why="You told us your knee has hurt for a long time. These patients' stories may interest you.",
            articles=articles,
            case_studies=list(CaseStudy.objects.all()[:6]),
        )
    return Reading(why="While you wait, you may like to read about knee pain and how we treat it.", articles=articles)
