"""Tests of referwell.domain: the case format, the instruments, the rules, the assessment."""
