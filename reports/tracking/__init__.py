"""Tracking (督办): what the supervising body follows across its bodies.

deadlines   due dates per quarter and timeliness (on time, late, overdue), in Beijing time
scope       the bodies an overseer follows
board       bodies × quarters with their totals
reminders   the 催报 e-mail, at most one a day per body and quarter
summary     the measures summed across bodies and quarters, for the page and the .xlsx
ledger      the 问题整改台账: problems of approved reports followed to their closure
"""
