"""The Django admin manages every model, in Chinese."""

import pytest
from django.apps import apps
from django.urls import reverse


@pytest.fixture
def admin_client_zh(client, django_user_model, demo):
    admin = django_user_model.objects.get(username="admin")
    client.force_login(admin)
    return client


def test_every_model_of_the_app_is_in_the_admin_with_a_chinese_label(admin_client_zh):
    index = admin_client_zh.get(reverse("admin:index")).content.decode()
    assert "季报 管理后台" in index
    for model in apps.get_app_config("reports").get_models():
        if model._meta.model_name.startswith("historical"):
            continue  # the edit trail, shown on each record's history page
        url = reverse(f"admin:reports_{model._meta.model_name}_changelist")
        response = admin_client_zh.get(url)
        assert response.status_code == 200, url
        assert str(model._meta.verbose_name_plural) in index


def test_report_change_page_opens(admin_client_zh, demo):
    response = admin_client_zh.get(reverse("admin:reports_report_change", args=[demo.pk]))
    assert response.status_code == 200
    assert "主要做法" in response.content.decode()


def test_non_staff_users_are_kept_out_of_the_admin(client, drafter):
    client.force_login(drafter)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_moving_a_due_date_in_the_admin_keeps_who_and_from_what(admin_client_zh, django_user_model):
    """The due date decides who was late: changing it leaves a trace with the old date."""
    from datetime import date

    from reports.models import DueDate

    due = DueDate.objects.create(year=2023, quarter=2, due_date=date(2023, 7, 10))
    response = admin_client_zh.post(
        reverse("admin:reports_duedate_change", args=[due.pk]),
        {"year": 2023, "quarter": 2, "due_date": "2023-07-14"},
    )
    assert response.status_code == 302
    versions = list(due.history.order_by("history_date").values_list("due_date", "history_user__username"))
    assert versions[-2:] == [(date(2023, 7, 10), None), (date(2023, 7, 14), "admin")]
    history = admin_client_zh.get(reverse("admin:reports_duedate_history", args=[due.pk])).content.decode()
    assert "admin" in history


@pytest.mark.parametrize(("body", "new_parent"), [
    ("city", "cppcc"),  # 市纪委监委 ↔ 市政协党组
    ("city", "office"),  # three levels: 市纪委监委 → 市政协党组 → 市政协机关党组 → 市纪委监委
    ("cppcc", "cppcc"),  # its own parent
])
def test_the_admin_refuses_a_parent_that_would_close_a_cycle(client, make_user, tree, body, new_parent):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    organization = tree[body]
    parent_before = organization.parent_id
    response = client.post(reverse("admin:reports_organization_change", args=[organization.pk]), {
        "name": organization.name, "short_name": "", "parent": tree[new_parent].pk,
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    })
    assert response.status_code == 200, "the form comes back"
    page = response.content.decode()
    assert "上级单位不能是本单位或本单位的下级单位" in page
    if body != new_parent:
        assert f"“{tree[new_parent].name}”在“{organization.name}”之下" in page
    organization.refresh_from_db()
    assert organization.parent_id == parent_before, "nothing saved"


def test_the_admin_still_moves_a_body_under_another_branch(client, make_user, tree):
    client.force_login(make_user("root", is_superuser=True, is_staff=True))
    office = tree["office"]
    response = client.post(reverse("admin:reports_organization_change", args=[office.pk]), {
        "name": office.name, "short_name": "", "parent": tree["congress"].pk,
        "grace_days": "0", "warning_days": "3",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "review_steps-TOTAL_FORMS": "0", "review_steps-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302
    office.refresh_from_db()
    assert office.parent == tree["congress"]
