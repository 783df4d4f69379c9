"""Drafting: writing a report before it goes to review.

starting    a quarter's report from the standard outline or a copy of an earlier quarter
structure   a report from its nested structure (the importer's output, the demo data)
editing     every write to a part: rights, optimistic locking, the edit trail
ordering    sibling positions, compact and unique
checks      what is still to fill in (the check panel, and what blocks submission)
forms       the editor's forms, one per kind of part
"""
