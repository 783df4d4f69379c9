"""The report's quality before submission: what is left to fill in, text that names another
period, and (to come) text copied from earlier reports or other bodies' and figures that do not
add up. One check for every reader (reports.quality.check)."""
