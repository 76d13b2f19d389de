"""The clinician's own growth (issue 12): use cases on their competence evidence, their
ethics practice cards (`ethics_cards`, scheduled by `scheduling`) and their ProQOL check-ins
(`check_ins`). Each person reads and writes their own; a supervisor sees whether their
supervisees check in, not their scores unless shared."""
