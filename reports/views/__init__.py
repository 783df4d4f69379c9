"""The pages, one module per screen; they call the domain modules and hold no rules of their own.

access          the report a request may see or edit, and the editor's refusals (a decorator)
report_pages    the report list and the read-only report page; report_create starts a quarter
editor          the sheet and its in-place forms; measures_panel and measures_context its figures
review          the review page, comments, the actions, the timeline, the inbox
tracking_pages  the board, 催报 and the measures summary; board_cells the board's cells as HTML
export          .docx, PDF and the quarter's .zip; import_pages uploading and previewing an import
filters, links, converters   the list's filter bar, the URLs of a report's parts, URL converters
"""
