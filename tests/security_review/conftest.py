"""The attacker's review (issue 12's bar, this round's new code): the
harvest dashboard's people are reused as the hostile editors."""
from tests.harvest_dashboard.conftest import people  # noqa: F401  (a fixture)
