"""A valid candidacy form's answers (no hidden or spam-protection fields): the intake tests and the
load generator fill in the form with these."""

CANDIDATE_ANSWERS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "phone": "239 555 0100",
    "preferred_contact": "either",
    "office": "oak-park",
    "knees": "right",
    "right_pain": "7",
    "right_pain_time": "75",
    "duration": "1to5y",
    "onset": "old_injury",
    "tried_nsaids": "for_a_while",
    "tried_physical_therapy": "no",
    "replacement_recommended": "no",
    "instability": "on",
    "message": "It hurts on the stairs.",
    "callback_window": "Any time",
    "out_of_network_acknowledged": "on",
    "consent_to_contact": "on",
}
