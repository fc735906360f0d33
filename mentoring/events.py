"""Named seams between domains: a lower domain announces what happened, a higher one reacts.

Accounts sit below every domain, yet an expert's or mentor parent's profile must exist from the
moment the account does (no page may create it on first visit), so `account_created` lets the
domains that keep a profile per role create it in the same transaction.

Consultations and mentorships sit below surveys in the layer order (surveys reads both for the
dashboard), yet an attended consultation and a mentoring's milestones are what trigger a survey
invitation. So those services send a signal here and `mentoring.surveys` subscribes when it loads;
the receivers run inside the sender's transaction, so the invitation is written with the change.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the new User (flushed, with its role); consultations and mentorships create its profile
account_created = _signals.signal("account-created")
# sender: the Booking, after the expert marked it attended
consultation_attended = _signals.signal("consultation-attended")
# sender: the MentoringMatch; keyword `moment`: "3m" (three months in) or "end"
mentoring_milestone = _signals.signal("mentoring-milestone")
# sender: the CohortMember, when their group ended after its last meeting
group_completed = _signals.signal("group-completed")
