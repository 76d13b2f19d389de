"""The provider directory's use cases: importing it (HSDS 3.0, FHIR R4, the CSV template)
through the mapping file that reads other vocabularies as referwell's codes, exporting it,
and finding the options for a referral need in it."""
