from django.urls import path

from .views import report_pages

app_name = "reports"

urlpatterns = [
    path("", report_pages.report_list, name="list"),
    path("<int:pk>/", report_pages.report_detail, name="detail"),
]
