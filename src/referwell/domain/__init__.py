"""Pure logic: the case format, the instruments, the rules and the assessment.

Imports nothing from web, database or CLI code.
"""
