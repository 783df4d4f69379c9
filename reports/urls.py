from django.urls import path, register_converter

from reports.views import (
    carried_panel,
    editor,
    evidence_panel,
    export,
    export_jobs,
    import_pages,
    ledger_pages,
    measures_panel,
    notice_pages,
    report_create,
    report_pages,
    review,
    review_import_pages,
    suggestion_pages,
    tracking_pages,
)
from reports.views.converters import AddableKindConverter, GeneratedKindConverter, PartKindConverter, PeriodConverter

app_name = "reports"
register_converter(PartKindConverter, "part")
register_converter(AddableKindConverter, "addable")
register_converter(GeneratedKindConverter, "generated")
register_converter(PeriodConverter, "period")

urlpatterns = [
    path("", report_pages.report_list, name="list"),
    path("bodies/", report_pages.body_search, name="body_search"),
    path("new/", report_create.create, name="create"),
    path("import/", import_pages.upload, name="import"),
    path("import/<str:key>/", import_pages.preview, name="import_preview"),
    path("inbox/", review.inbox, name="inbox"),
    path("inbox/substitute/", review.substitute, name="substitute"),
    path("inbox/substitute/<int:substitution_id>/end/", review.end_substitute, name="end_substitute"),
    # 通知: the user's own in-app notices.
    path("notices/", notice_pages.notice_list, name="notices"),
    path("notices/<int:notice_id>/open/", notice_pages.notice_open, name="notice_open"),
    path("notices/read-all/", notice_pages.notices_read_all, name="notices_read_all"),
    path("<int:pk>/", report_pages.report_detail, name="detail"),
    path("<int:pk>/edit/", editor.editor, name="edit"),
    path("<int:pk>/edit/sheet/", editor.sheet, name="sheet"),
    path("<int:pk>/edit/layout/", editor.items_layout, name="items_layout"),
    path("<int:pk>/edit/<part:kind>/", editor.part_edit, name="part_edit"),
    path("<int:pk>/edit/<part:kind>/<int:part_id>/", editor.part_edit, name="part_edit"),
    path("<int:pk>/edit/<addable:kind>/<int:part_id>/move/", editor.part_move, name="part_move"),
    path("<int:pk>/edit/<addable:kind>/<int:part_id>/delete/", editor.part_delete, name="part_delete"),
    path("<int:pk>/add/<addable:kind>/", editor.part_add, name="part_add"),
    path("<int:pk>/check/", editor.check_panel, name="check"),
    path("<int:pk>/review/", review.review, name="review"),
    path("<int:pk>/comments/", review.comment, name="comment"),
    path("<int:pk>/suggest/<str:ref>/", suggestion_pages.suggest, name="suggest"),
    path("<int:pk>/review-import/", review_import_pages.upload, name="review_import"),
    path("<int:pk>/review-import/<str:key>/", review_import_pages.preview, name="review_import_preview"),
    path("<int:pk>/suggestions/<int:suggestion_id>/withdraw/", suggestion_pages.withdraw, name="suggestion_withdraw"),
    path("<int:pk>/suggestions/<int:suggestion_id>/accept/", suggestion_pages.decide, {"decision": "accept"},
         name="suggestion_accept"),
    path("<int:pk>/suggestions/<int:suggestion_id>/reject/", suggestion_pages.decide, {"decision": "reject"},
         name="suggestion_reject"),
    path("<int:pk>/act/<str:action>/", review.act, name="act"),
    path("<int:pk>/timeline/", review.timeline, name="timeline"),
    path("<int:pk>/export.docx", export.export_docx, name="export_docx"),
    path("<int:pk>/export-review.docx", export.export_review_docx, name="export_review_docx"),
    path("<int:pk>/export.pdf", export_jobs.request_pdf, name="export_pdf"),
    path("<int:pk>/export-evidence.zip", export.export_evidence_zip, name="export_evidence_zip"),
    path("export/<int:year>/<period:quarter>.zip", export.export_quarter_zip, name="export_zip"),
    path("export/<int:year>/<period:quarter>/pdf/", export_jobs.request_quarter, name="export_quarter_pdf"),
    path("exports/<int:job_id>/", export_jobs.job_page, name="export_job"),
    path("exports/<int:job_id>/file/", export_jobs.job_file, name="export_job_file"),
    path("exports/<int:job_id>/retry/", export_jobs.job_retry, name="export_job_retry"),
    path("<int:pk>/measures/", measures_panel.panel, name="measures"),
    path("<int:pk>/measures/add/", measures_panel.add, name="measure_add"),
    path("<int:pk>/measures/<int:value_id>/", measures_panel.set_value, name="measure_value"),
    path("<int:pk>/measures/<int:value_id>/remove/", measures_panel.remove, name="measure_remove"),
    path("ledger/<int:problem_id>/<str:ledger_action>/", ledger_pages.act, name="ledger_act"),
    path("<int:pk>/progress/<int:problem_id>/", carried_panel.progress, name="problem_progress"),
    path("<int:pk>/plans/<int:position>/", carried_panel.plan_answer, name="plan_answer"),
    path("<int:pk>/print/<generated:kind>/", carried_panel.print_part, name="print_part"),
    path("<int:pk>/open-problem/<int:item_id>/", carried_panel.open_problem, name="open_problem"),
    path("<int:pk>/evidence/", evidence_panel.panel, name="evidence"),
    path("<int:pk>/evidence/upload/", evidence_panel.upload, name="evidence_upload"),
    path("<int:pk>/evidence/listing/", evidence_panel.listing, name="evidence_listing"),
    path("<int:pk>/evidence/<int:evidence_id>/", evidence_panel.file, name="evidence_file"),
    path("<int:pk>/evidence/<int:evidence_id>/thumbnail.png", evidence_panel.thumbnail, name="evidence_thumbnail"),
    path("<int:pk>/evidence/<int:evidence_id>/title/", evidence_panel.rename, name="evidence_rename"),
    path("<int:pk>/evidence/<int:evidence_id>/delete/", evidence_panel.delete, name="evidence_delete"),
]

# 督办 pages, mounted at /tracking/ under the namespace "tracking" (config/urls.py).
tracking_urlpatterns = [
    path("", tracking_pages.board, name="board"),
    path("remind/", tracking_pages.remind, name="remind"),
    path("extend/", tracking_pages.extend, name="extend"),
    path("measures/", tracking_pages.measures, name="summary"),
    path("measures.xlsx", tracking_pages.measures_xlsx, name="summary_xlsx"),
    path("ledger/", ledger_pages.ledger_page, name="ledger"),
    path("ledger.xlsx", ledger_pages.ledger_xlsx, name="ledger_xlsx"),
]
