import pytest

from intake.rubric import suggest_patient_type


def test_a_recent_injury_that_has_not_healed_suggests_type_1():
    suggestion = suggest_patient_type(onset="recent_injury", duration="lt3m", treatments_tried=[])
    assert suggestion.patient_type == 1
    assert "Started with a recent injury" in suggestion.reasons
    assert "Hurting for less than 3 months" in suggestion.reasons


def test_an_old_unstable_injury_after_conservative_care_suggests_type_2():
    suggestion = suggest_patient_type(
        onset="old_injury", duration="1to5y", treatments_tried=["nsaids", "cortisone"], instability=True
    )
    assert suggestion.patient_type == 2
    assert "The knee gives way or feels unstable" in suggestion.reasons
    assert "Conservative care tried: Cortisone injections, NSAIDs (anti-inflammatory medication)" in suggestion.reasons


def test_long_degeneration_with_replacement_recommended_suggests_type_3():
    suggestion = suggest_patient_type(
        onset="wear",
        duration="gt5y",
        treatments_tried=["hyaluronic_acid", "cortisone", "prp"],
        replacement_recommended="yes",
        description="My surgeon says it is bone-on-bone.",
    )
    assert suggestion.patient_type == 3
    assert "Joint replacement was recommended" in suggestion.reasons
    assert 'Describes the knee as "bone on bone"' in suggestion.reasons


def test_replacement_recommended_outweighs_an_old_injury():
    suggestion = suggest_patient_type(onset="old_injury", duration="gt5y", replacement_recommended="yes")
    assert suggestion.patient_type == 3


def test_answers_that_fit_two_types_equally_suggest_none_and_say_which():
    # An old injury (type 2) that has hurt for over five years through several injections (type 3).
    suggestion = suggest_patient_type(onset="old_injury", duration="gt5y", treatments_tried=["hyaluronic_acid", "prp"])
    assert suggestion.patient_type is None
    assert suggestion.reasons[0] == "The answers fit type 2 and type 3 equally"


def test_too_little_to_go_on_suggests_none():
    suggestion = suggest_patient_type(onset="not_sure", duration="1to5y", treatments_tried=["surgery"])
    assert suggestion.patient_type is None
    assert suggestion.reasons[0] == "Not enough in the answers to suggest a type"


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"onset": "unknown-value", "duration": "??"},
        {"treatments_tried": ["not-a-treatment"]},
    ],
)
def test_unknown_or_missing_answers_never_raise(answers):
    assert suggest_patient_type(**answers).patient_type is None


def test_the_rubric_is_pure():
    answers = {"onset": "recent_injury", "duration": "3to12m", "treatments_tried": ("nsaids",)}
    assert suggest_patient_type(**answers) == suggest_patient_type(**answers)
