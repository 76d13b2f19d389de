"""The clinician's own growth (issue 12): competence with its evidence, ethics practice cards
(`cards`, `cards.json`) and the ProQOL 5 check-in (`proqol`). Pure logic and data."""
