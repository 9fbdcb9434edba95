"""The suggested patient type: a staff-only hint, never a diagnosis shown to the patient.

It follows the clinic's own guide ("What type of treatment do I need?", Danielle R.
Steilen-Matias, MMS, PA-C):

- type 1: a recent injury, such as a sprain, that has not healed all the way (dextrose Prolotherapy);
- type 2: chronic problems from an "old" injury that never really healed, has not responded to
  conservative care (NSAIDs, medications, cortisone, physical therapy), joint instability (PRP with
  Prolotherapy);
- type 3: chronic long-term degeneration, "bone on bone", possibly in need of a joint replacement,
  conservative care and injections no longer help (bone marrow with Prolotherapy may be considered).

Each answer adds weight to the types it points to; the heaviest type wins. A tie, or too little to go
on, suggests no type: staff decide, with the reasons in front of them.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from .models import Inquiry

# Below this weight the answers say too little to suggest anything.
MIN_WEIGHT = 3

# Plain values: the answers arrive as strings, and enum members hash differently from them.
CONSERVATIVE_CARE = {
    t.value for t in (Inquiry.Treatment.NSAIDS, Inquiry.Treatment.CORTISONE, Inquiry.Treatment.PHYSICAL_THERAPY)
}
INJECTIONS_NO_LONGER_HELPING = {
    t.value
    for t in (
        Inquiry.Treatment.HYALURONIC_ACID,
        Inquiry.Treatment.CORTISONE,
        Inquiry.Treatment.PRP,
        Inquiry.Treatment.STEM_CELLS,
    )
}

# What an answer points to: (patient type, weight, reason).
ONSET_POINTS_TO = {
    Inquiry.Onset.RECENT_INJURY.value: (1, 3, "Started with a recent injury"),
    Inquiry.Onset.OLD_INJURY.value: (2, 3, "An old injury that never healed"),
    Inquiry.Onset.WEAR.value: (3, 3, "Wear over the years"),
}
DURATION_POINTS_TO = {
    Inquiry.Duration.UNDER_3_MONTHS.value: (1, 2, "Hurting for less than 3 months"),
    Inquiry.Duration.UNDER_1_YEAR.value: (1, 1, "Hurting for 3 to 12 months"),
    Inquiry.Duration.UNDER_5_YEARS.value: (2, 1, "Hurting for 1 to 5 years"),
    Inquiry.Duration.OVER_5_YEARS.value: (3, 2, "Hurting for more than 5 years"),
}


@dataclass(frozen=True)
class Suggestion:
    patient_type: int | None
    reasons: tuple[str, ...]


def suggest_patient_type(
    *,
    onset: str = "",
    duration: str = "",
    treatments_tried: Iterable[str] = (),
    replacement_recommended: str = "",
    instability: bool = False,
    description: str = "",
) -> Suggestion:
    """The patient type (1, 2, 3, or None when unclear) the answers point to, and why.

    Pure: depends on its arguments only. Inputs are the stored answer values (Inquiry's choices).
    """
    tried = {str(t) for t in treatments_tried}
    weights = {1: 0, 2: 0, 3: 0}
    reasons: dict[int, list[str]] = {1: [], 2: [], 3: []}

    def add(patient_type: int, weight: int, reason: str) -> None:
        weights[patient_type] += weight
        reasons[patient_type].append(reason)

    for table, answer in ((ONSET_POINTS_TO, onset), (DURATION_POINTS_TO, duration)):
        if str(answer) in table:  # str(): a choices member hashes unlike its value
            add(*table[str(answer)])

    if replacement_recommended == Inquiry.Answer.YES:
        add(3, 4, "Joint replacement was recommended")

    if instability:
        add(2, 2, "The knee gives way or feels unstable")

    conservative = sorted(tried & CONSERVATIVE_CARE)
    if conservative:
        add(2, 1, "Conservative care tried: " + ", ".join(_label(t) for t in conservative))
    elif not tried:
        add(1, 1, "No treatment tried yet")

    injections = sorted(tried & INJECTIONS_NO_LONGER_HELPING)
    if len(injections) >= 2:
        add(3, 1, "Several injection treatments tried: " + ", ".join(_label(t) for t in injections))

    if "bone on bone" in " ".join(description.lower().replace("-", " ").split()):
        add(3, 2, 'Describes the knee as "bone on bone"')

    best = max(weights.values())
    leaders = [t for t, w in weights.items() if w == best]
    if best < MIN_WEIGHT:
        found = [r for t in (1, 2, 3) for r in reasons[t]]
        return Suggestion(None, ("Not enough in the answers to suggest a type", *found))
    if len(leaders) > 1:
        tied = " and ".join(f"type {t}" for t in leaders)
        found = [f"Type {t}: {r}" for t in leaders for r in reasons[t]]
        return Suggestion(None, (f"The answers fit {tied} equally", *found))
    (winner,) = leaders
    return Suggestion(winner, tuple(reasons[winner]))


def _label(value: str) -> str:
    return Inquiry.Treatment(value).label if value in Inquiry.Treatment.values else value
