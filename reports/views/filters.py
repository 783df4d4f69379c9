"""The filter bar of the report list: body, year, quarter, status and a text search.

Everything is limited to the bodies the user may see (`reports.access.visible_organizations`),
the choices as well as the reports, so neither the list nor the form names another body.
A value that does not validate (``?year=abc``) is left out of the filtering and shown as an
error on the form; it never filters the list.
"""

from html import escape

import django_filters
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.access import visible_organizations
from reports.labels import ANNUAL, ANNUAL_NAME, parse_period_key, period_key
from reports.models import QUARTERS, Heading, Item, Report, Section
from reports.views import keyset

SEARCH_MAX_LENGTH = 100


class OptionsInPythonSelect(forms.Select):
    """A <select> whose <option>s are written in Python. Django's Select renders one template per
    option: for an overseer's 311 bodies that was over half of the report list's time, and
    format_html per option still a fifth (docs/PERFORMANCE.md). The markup is the same; only
    plain (value, label) choices are used here."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(item) for item in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(str(option))}"{" selected" if str(option) in selected else ""}>{escape(str(label))}</option>'
            for option, label in self.choices
        )
        attributes = flatatt(self.build_attrs(self.attrs, attrs))
        # Safe: every value and label above is escaped.
        return format_html('<select name="{}"{}>{}</select>', name, attributes, mark_safe(options))


# Up to this many bodies, the body filter lists them all (searchable as one types); beyond, it
# searches the server: a select of 30,000 bodies is neither usable nor cheap to send.
BODY_OPTIONS = 100
BODY_SEARCH_RESULTS = 20


def _select(searchable=False, search_url=None):
    attrs = {"class": "form-select form-select-sm"}
    if searchable:
        attrs["data-searchable"] = ""
        attrs["data-placeholder"] = gettext("输入单位名称查找")
        attrs["data-no-results"] = gettext("没有名称含此文字的单位")
    if search_url:
        attrs["data-search-url"] = search_url
    return OptionsInPythonSelect(attrs=attrs)


def matching_bodies(user, term: str) -> list[tuple[int, str]]:
    """The visible bodies whose name or short name holds the term: the body filter's suggestions,
    by name, at most BODY_SEARCH_RESULTS."""
    term = term.strip()[:SEARCH_MAX_LENGTH]
    bodies = visible_organizations(user)
    if term:
        bodies = bodies.filter(Q(name__icontains=term) | Q(short_name__icontains=term))
    return list(bodies.order_by("name").values_list("id", "name")[:BODY_SEARCH_RESULTS])


def report_years(reports) -> list[int]:
    """The years of the year filter, newest first: from the newest report's to the oldest's, two
    rows read from the list's index rather than every visible report (a year in between with no
    report at all is listed too, and shows an empty list)."""
    newest = keyset.ordered(reports).values_list("year", flat=True).first()
    if newest is None:
        return []
    oldest = keyset.ordered(reports, forwards=False).values_list("year", flat=True).first()
    return list(range(newest, oldest - 1, -1))


def _choice(**kwargs):
    """A select: "全部" for no filter, and a short message for a value that is not a choice."""
    return {
        "empty_label": _("全部"),
        "widget": _select(),
        "error_messages": {"invalid_choice": _("没有“%(value)s”这一选项。")},
        **kwargs,
    }


def text_matches(term):
    """A condition on Report: the term is in its title or anywhere in its text.

    Subqueries (EXISTS) rather than joins, so that a report matching in many items is
    still one row.
    """
    sections = Section.objects.filter(report=OuterRef("pk")).filter(Q(title__icontains=term) | Q(lead__icontains=term))
    headings = Heading.objects.filter(section__report=OuterRef("pk")).filter(
        Q(title__icontains=term) | Q(lead__icontains=term)
    )
    items = Item.objects.filter(section__report=OuterRef("pk"), text__icontains=term)
    return (
        Q(title__icontains=term)
        | Q(opening__icontains=term)
        | Q(Exists(sections))
        | Q(Exists(headings))
        | Q(Exists(items))
    )


class ReportFilterForm(forms.Form):
    """Marks the fields whose value was refused, for Bootstrap and for screen readers."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-describedby"] = "report-filter-errors"


class ReportFilter(django_filters.FilterSet):
    # Plain (id, name) choices: 311 Organization objects for an overseer's select cost more than
    # the list itself.
    organization = django_filters.ChoiceFilter(**_choice(label=_("单位"), choices=[], field_name="organization_id"))
    year = django_filters.ChoiceFilter(**_choice(label=_("年度"), choices=[]))
    # A quarter, or the annual reports ("annual", whose quarter is None).
    quarter = django_filters.ChoiceFilter(**_choice(label=_("季度"), choices=[
        *((period_key(quarter), name) for quarter, name in QUARTERS), (period_key(ANNUAL), ANNUAL_NAME)]),
        method="of_period")
    status = django_filters.ChoiceFilter(**_choice(label=_("状态"), choices=Report.Status.choices))
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "class": "form-control form-control-sm", "placeholder": _("标题或正文中的文字")}
        ),
    )

    class Meta:
        model = Report
        fields = ("organization", "year", "quarter", "status", "q")
        form = ReportFilterForm

    def of_period(self, queryset, name, value):
        return queryset.filter(quarter=parse_period_key(value))

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        user = request.user if request is not None else AnonymousUser()
        visible = visible_organizations(user)
        if queryset is None:
            queryset = Report.objects.all()
        # Whatever queryset the caller passes, only the visible bodies' reports come out.
        queryset = queryset.visible_to(user)
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.years = report_years(Report.objects.visible_to(user))
        self.filters["year"].extra["choices"] = [(year, gettext("%(year)s年") % {"year": year}) for year in self.years]
        bodies = list(visible.order_by("name").values_list("id", "name")[:BODY_OPTIONS + 1])
        if len(bodies) <= 1:
            # One body (or none): a choice between nothing is noise.
            del self.filters["organization"]
        elif len(bodies) <= BODY_OPTIONS:
            self.filters["organization"].extra["choices"] = bodies
            self.filters["organization"].extra["widget"] = _select(searchable=True)
        else:
            # Too many to list: the select holds the body asked for, and the browser asks the
            # server for the others as the user types (reports:body_search).
            asked = (data or {}).get("organization", "")
            self.filters["organization"].extra["choices"] = (
                list(visible.filter(pk=int(asked)).values_list("id", "name")) if str(asked).isdigit() else [])
            self.filters["organization"].extra["widget"] = _select(searchable=True, search_url=reverse("reports:body_search"))

    @property
    def has_reports(self):
        """Whether the user can see any report at all, filters aside."""
        return bool(self.years)

    @property
    def is_active(self):
        """Whether the query string sets any filter, valid or not (so that it can be cleared)."""
        getlist = getattr(self.data, "getlist", lambda name: [self.data.get(name)])
        return any(str(value or "").strip() for name in self.filters for value in getlist(name))

    def search(self, queryset, name, value):
        # Every word must occur somewhere in the report, not necessarily in the same place.
        for term in dict.fromkeys(value.split()):
            queryset = queryset.filter(text_matches(term))
        return queryset
