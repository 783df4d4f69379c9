"""Review: a report's life after the drafter lets go of it.

workflow    the transitions table and submit / approve / return / reopen
comments    reviewers' comments on the report or one part
notices     the e-mails each transition sends
timeline    every event and recorded edit of a report, newest first
inbox       what awaits a user: reports to review, reports returned to revise
"""
