"""A leader's edited Word file read as suggestions and comments on the report (nothing is written).

    reading = read_review(report, data)     # raises ReviewFileRefused for a file it will not read
    reading.as_json()                       # the stable shape (import_review --dry-run)
    import_reading(report, reading, user)   # reports.review.suggestions: creates them

marks       the .docx → its body as marked characters (revisions, paragraph marks, comments)
alignment   which character of the file stands for which of the report
reading     the characters into the report's parts: suggestions, comments, what is placed nowhere
"""

from reports.word.importing.review.errors import MAX_REVISIONS, ReviewFileRefused
from reports.word.importing.review.reading import FileComment, FileSuggestion, ReviewReading, Unmatched, read_review

__all__ = ["MAX_REVISIONS", "FileComment", "FileSuggestion", "ReviewFileRefused", "ReviewReading", "Unmatched",
           "read_review"]
