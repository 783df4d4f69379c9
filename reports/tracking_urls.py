"""督办 pages, mounted at /tracking/ (config/urls.py)."""

from django.urls import path

from .views import tracking_pages

app_name = "tracking"

urlpatterns = [
    path("", tracking_pages.board, name="board"),
    path("remind/", tracking_pages.remind, name="remind"),
    path("measures/", tracking_pages.measures, name="summary"),
    path("measures.xlsx", tracking_pages.measures_xlsx, name="summary_xlsx"),
]
