"""The suggested patient type: a staff-only hint, never a diagnosis, never shown to the patient.

It follows the clinic's own guide ("What type of treatment do I need?", Danielle R.
Steilen-Matias, MMS, PA-C): each rule in GUIDE_RULES quotes the criterion of the guide it
implements; CLINIC_RULES are the clinic's own choices, which the guide does not state. Each answer
adds weight to the type its rule points to; the heaviest type wins. A tie, or too little to go on
(less than MIN_WEIGHT, the clinic's choice), suggests no type: staff decide, with the reasons in
front of them. tests/intake/test_rubric.py holds the table of criteria and rules.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .models import Inquiry

# Below this weight the answers say too little to suggest anything (the clinic's choice).
MIN_WEIGHT = 3

# Plain values: the answers arrive as strings, and enum members hash differently from them.
CONSERVATIVE_CARE = {
    t.value for t in (Inquiry.Treatment.NSAIDS, Inquiry.Treatment.CORTISONE, Inquiry.Treatment.PHYSICAL_THERAPY)
}
# The guide's type 3: "short-term success with PRP treatments, hyaluronic acid treatments, cortisone injections".
INJECTIONS = {t.value for t in (Inquiry.Treatment.PRP, Inquiry.Treatment.HYALURONIC_ACID, Inquiry.Treatment.CORTISONE)}
NOT_HELPING = {Inquiry.Helped.FOR_A_WHILE.value, Inquiry.Helped.NO.value}


@dataclass(frozen=True)
class Answers:
    onset: str = ""
    duration: str = ""
    treatment_outcomes: dict = field(default_factory=dict)
    replacement_recommended: str = ""
    instability: bool = False
    pain_worsening: str = ""
    activity_level: str = ""
    description: str = ""

    def no_longer_helping(self, treatments: set[str]) -> list[str]:
        return sorted(t for t, outcome in self.treatment_outcomes.items() if t in treatments and outcome in NOT_HELPING)


@dataclass(frozen=True)
class Rule:
    criterion: str  # the guide's words, or why the clinic chose the rule
    patient_type: int
    weight: int
    reason: str | Callable[[Answers], str]
    applies: Callable[[Answers], bool]


def _bone_on_bone(a: Answers) -> bool:
    return "bone on bone" in " ".join(a.description.lower().replace("-", " ").split())


GUIDE_RULES = (
    Rule(
        "Type 1: Younger patient, athlete, active, or with a physically demanding job.",
        1,
        1,
        "Active: sport, running or physically demanding work",
        lambda a: a.activity_level == Inquiry.Activity.HIGH,
    ),
    Rule(
        "Type 1: Recent injury, such as a sprain that has not healed all the way.",
        1,
        3,
        "Started with a recent injury",
        lambda a: a.onset == Inquiry.Onset.RECENT_INJURY,
    ),
    Rule(
        "Type 2: Chronic problems from an \u201cold\u201d injury, such as a sprain that happened a few years ago.",
        2,
        3,
        "An old injury that never healed",
        lambda a: a.onset == Inquiry.Onset.OLD_INJURY,
    ),
    Rule(
        "Type 2: Injury \u201cnever really healed,\u201d has progressively worsened.",
        2,
        1,
        "The pain is getting worse",
        lambda a: a.pain_worsening == Inquiry.Answer.YES,
    ),
    Rule(
        "Type 2: Injury has not responded long-term to more conservative care options such as NSAIDS, "
        "medications, cortisone, physical therapy.",
        2,
        2,
        lambda a: (
            "Conservative care did not help for long: "
            + ", ".join(_label(t) for t in a.no_longer_helping(CONSERVATIVE_CARE))
        ),
        lambda a: bool(a.no_longer_helping(CONSERVATIVE_CARE)),
    ),
    Rule(
        "Type 2: Soft tissue damage continues, joint instability has become more permanent.",
        2,
        2,
        "The knee gives way or feels unstable",
        lambda a: a.instability,
    ),
    Rule(
        "Type 3: Chronic long-term degenerative problems. Possibly in need of a joint replacement.",
        3,
        4,
        "Joint replacement was recommended",
        lambda a: a.replacement_recommended == Inquiry.Answer.YES,
    ),
    Rule(
        "Type 3: degenerative joint disease for many years even decades.",
        3,
        3,
        "Wear over the years",
        lambda a: a.onset == Inquiry.Onset.WEAR,
    ),
    Rule(
        "Type 3: These are the \u201cbone on bone people.\u201d",
        3,
        2,
        'Describes the knee as "bone on bone"',
        _bone_on_bone,
    ),
    Rule(
        "Type 3: they may have had short-term success with PRP treatments, hyaluronic acid treatments, cortisone "
        "injections, but none of these are helpful anymore.",
        3,
        2,
        lambda a: "Injections no longer help: " + ", ".join(_label(t) for t in a.no_longer_helping(INJECTIONS)),
        lambda a: len(a.no_longer_helping(INJECTIONS)) >= 2,
    ),
)

# How long it has hurt: the guide speaks of "recent" and of "years, even decades" but gives no
# lengths; these are the clinic's reading of them.
CLINIC_RULES = (
    Rule(
        "Clinic's choice: less than 3 months counts as recent (type 1).",
        1,
        2,
        "Hurting for less than 3 months",
        lambda a: a.duration == Inquiry.Duration.UNDER_3_MONTHS,
    ),
    Rule(
        "Clinic's choice: 3 to 12 months leans to recent (type 1).",
        1,
        1,
        "Hurting for 3 to 12 months",
        lambda a: a.duration == Inquiry.Duration.UNDER_1_YEAR,
    ),
    Rule(
        "Clinic's choice: 1 to 5 years leans to an old injury (type 2).",
        2,
        1,
        "Hurting for 1 to 5 years",
        lambda a: a.duration == Inquiry.Duration.UNDER_5_YEARS,
    ),
    Rule(
        "Clinic's choice: more than 5 years leans to long-term degeneration (type 3).",
        3,
        2,
        "Hurting for more than 5 years",
        lambda a: a.duration == Inquiry.Duration.OVER_5_YEARS,
    ),
)
RULES = GUIDE_RULES + CLINIC_RULES


@dataclass(frozen=True)
class Suggestion:
    patient_type: int | None
    reasons: tuple[str, ...]


def suggest_patient_type(
    *,
    onset: str = "",
    duration: str = "",
    treatments_tried: Iterable[str] = (),
    treatment_outcomes: dict | None = None,
    replacement_recommended: str = "",
    instability: bool = False,
    pain_worsening: str = "",
    activity_level: str = "",
    description: str = "",
) -> Suggestion:
    """The patient type (1, 2, 3, or None when unclear) the answers point to, and why.

    Pure: depends on its arguments only. Inputs are the stored answer values (Inquiry's choices).
    A treatment tried without an answer to "did it help?" counts for no rule.
    """
    tried = {str(t) for t in treatments_tried}
    answers = Answers(
        onset=str(onset),
        duration=str(duration),
        treatment_outcomes={str(t): str(o) for t, o in (treatment_outcomes or {}).items() if str(t) in tried},
        replacement_recommended=str(replacement_recommended),
        instability=bool(instability),
        pain_worsening=str(pain_worsening),
        activity_level=str(activity_level),
        description=description or "",
    )
    weights = {1: 0, 2: 0, 3: 0}
    reasons: dict[int, list[str]] = {1: [], 2: [], 3: []}
    for rule in RULES:
        if rule.applies(answers):
            weights[rule.patient_type] += rule.weight
            reasons[rule.patient_type].append(rule.reason(answers) if callable(rule.reason) else rule.reason)

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
