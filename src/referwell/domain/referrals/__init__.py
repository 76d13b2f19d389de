"""Closed-loop referrals (docs/referrals.md): the status machine, consent to release
information, the pretermination checklist, the guards before sending, and follow-up."""
