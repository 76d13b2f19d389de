"""Closed-loop referrals (docs/referrals.md): opening one from a need, its options, consent,
the pretermination checklist, sending it, every change of status, and follow-up."""
