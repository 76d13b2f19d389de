"""The clinician's own growth (issue 12): competence evidence (`models`), ethics practice
cards' review state and log (`cards`), ProQOL check-ins (`check_ins`)."""
