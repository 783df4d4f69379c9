"""Editing rules: who may write, numbering after structural changes, and no lost text."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reports.document.model import Kind, build_document
from reports.drafting import editing
from reports.drafting.editing import EditConflict, EditRefused, fingerprint, part_values
from reports.models import Item, Membership, Report


@pytest.fixture
def report(report_factory, tree):
    return report_factory(
        tree["cppcc"],
        sections=[
            ("主要做法", "practices", [("深化理论学习", ["学习甲。", "学习乙。", "学习丙。"]), ("压实主体责任", ["责任甲。"])]),
            ("存在的主要问题", "problems", ["问题甲。", "问题乙。"]),
        ],
    )


def heading_items(report, index=0):
    heading = report.sections.get(position=1).headings.order_by("position")[index]
    return list(heading.items.order_by("position"))


def save(user, report, obj, kind, values, base=None):
    base_values = part_values(obj, kind) if base is None else base
    return editing.save_part(user=user, report=report, kind=kind, obj=obj, values=values,
                             base_version=report.version, base_fingerprint=fingerprint(base_values))


def texts(report):
    """The body's paragraphs, without the signature and date that follow them."""
    return [p.text for p in build_document(report).paragraphs if p.kind not in (Kind.SIGNATURE, Kind.DATE)]


def test_saving_an_item_bumps_the_version_and_records_who(report, drafter):
    item = heading_items(report)[0]
    save(drafter, report, item, "item", {"text": "学习甲，改。"})
    report.refresh_from_db()
    assert report.version == 2 and report.updated_by == drafter
    assert "（一）深化理论学习。一是学习甲，改。二是学习乙。三是学习丙。" in texts(report)


def test_adding_an_item_between_two_renumbers_the_rest(report, drafter):
    first, second, third = heading_items(report)
    new = editing.add_item(user=drafter, report=report, section=first.section, heading=first.heading, after=first, text="新增。")
    assert [i.text for i in heading_items(report)] == ["学习甲。", "新增。", "学习乙。", "学习丙。"]
    assert [i.position for i in heading_items(report)] == [1, 2, 3, 4]
    assert new.position == 2
    assert "（一）深化理论学习。一是学习甲。二是新增。三是学习乙。四是学习丙。" in texts(report)


def test_moving_up_and_down_and_at_the_ends(report, drafter):
    first, second, third = heading_items(report)
    assert editing.move_part(user=drafter, report=report, kind="item", obj=third, step=-1)
    assert [i.text for i in heading_items(report)] == ["学习甲。", "学习丙。", "学习乙。"]
    assert not editing.move_part(user=drafter, report=report, kind="item", obj=first, step=-1)
    assert [i.text for i in heading_items(report)] == ["学习甲。", "学习丙。", "学习乙。"]
    section = report.sections.get(position=2)
    editing.move_part(user=drafter, report=report, kind="section", obj=section, step=-1)
    assert texts(report)[1] == "一、存在的主要问题"


def test_deleting_closes_the_gap(report, drafter):
    first, second, third = heading_items(report)
    editing.delete_part(user=drafter, report=report, kind="item", obj=second, base_version=report.version,
                        base_fingerprint=fingerprint(part_values(second, "item")))
    assert [(i.text, i.position) for i in heading_items(report)] == [("学习甲。", 1), ("学习丙。", 2)]
    heading = first.heading
    editing.delete_part(user=drafter, report=report, kind="heading", obj=heading, base_version=report.version,
                        base_fingerprint=fingerprint(part_values(heading, "heading")))
    assert "（一）压实主体责任。一是责任甲。" in texts(report)
    assert not Item.objects.filter(text="学习甲。").exists()


def test_adding_sections_and_headings(report, drafter):
    practices = report.sections.get(position=1)
    editing.add_heading(user=drafter, report=report, section=practices, after=practices.headings.get(position=1),
                        title="新小标题")
    editing.add_section(user=drafter, report=report, title="其他工作")
    assert [t for t in texts(report) if t.startswith(("（", "一、", "二、", "三、"))][:5] == [
        "一、主要做法",
        "（一）深化理论学习。一是学习甲。二是学习乙。三是学习丙。",
        "（二）新小标题",
        "（三）压实主体责任。一是责任甲。",
        "二、存在的主要问题",
    ]
    assert texts(report)[-1] == "三、其他工作"


def test_a_save_based_on_text_someone_else_changed_is_refused_and_keeps_theirs(report, drafter, make_user, tree):
    colleague = make_user(organization=tree["cppcc"], role=Membership.Role.DRAFTER)
    item = heading_items(report)[0]
    opened_version, opened = report.version, part_values(item, "item")
    save(colleague, report, item, "item", {"text": "同事的文字。"})
    stale = Report.objects.get(pk=report.pk)
    stale.version = opened_version
    with pytest.raises(EditConflict) as conflict:
        editing.save_part(user=drafter, report=stale, kind="item", obj=item, values={"text": "我的文字。"},
                          base_version=opened_version, base_fingerprint=fingerprint(opened))
    assert conflict.value.theirs == {"text": "同事的文字。"}
    assert conflict.value.yours == {"text": "我的文字。"}
    item.refresh_from_db()
    assert item.text == "同事的文字。"


def test_an_older_version_is_fine_when_the_part_itself_did_not_change(report, drafter):
    first, second, _third = heading_items(report)
    opened_version = report.version
    save(drafter, report, first, "item", {"text": "先改第一项。"})
    # The second item was opened before that save; nobody changed it since.
    editing.save_part(user=drafter, report=report, kind="item", obj=second, values={"text": "再改第二项。"},
                      base_version=opened_version, base_fingerprint=fingerprint(part_values(second, "item")))
    assert [i.text for i in heading_items(report)][:2] == ["先改第一项。", "再改第二项。"]


def test_a_part_deleted_meanwhile_is_a_conflict_that_returns_your_text(report, drafter):
    item = heading_items(report)[0]
    opened = fingerprint(part_values(item, "item"))
    Item.objects.filter(pk=item.pk).delete()
    with pytest.raises(EditConflict) as conflict:
        editing.save_part(user=drafter, report=report, kind="item", obj=item, values={"text": "我的文字。"},
                          base_version=report.version, base_fingerprint=opened)
    assert conflict.value.gone and conflict.value.yours == {"text": "我的文字。"}


def test_delete_is_refused_when_the_part_changed_since_it_was_seen(report, drafter):
    item = heading_items(report)[0]
    opened_version, opened = report.version, fingerprint(part_values(item, "item"))
    save(drafter, report, item, "item", {"text": "别人刚改过。"})
    with pytest.raises(EditConflict):
        editing.delete_part(user=drafter, report=report, kind="item", obj=item, base_version=opened_version,
                            base_fingerprint=opened)
    assert Item.objects.filter(pk=item.pk).exists()


@pytest.mark.parametrize(
    "role, own_body, status, allowed",
    [
        ("drafter", True, "draft", True),
        ("drafter", True, "returned", True),
        ("drafter", True, "submitted", False),
        ("drafter", True, "approved", False),
        ("drafter", False, "draft", False),
        ("reviewer", True, "draft", False),
        ("overseer", True, "draft", False),
    ],
)
def test_who_may_edit(report, make_user, tree, role, own_body, status, allowed):
    organization = tree["cppcc"] if own_body else tree["congress"]
    if role == "overseer":
        organization = tree["city"]
    user = make_user(organization=organization, role=role)
    Report.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    item = heading_items(report)[0]
    attempts = [
        lambda: save(user, report, item, "item", {"text": "改。"}),
        lambda: editing.add_item(user=user, report=report, section=item.section, heading=item.heading),
        lambda: editing.move_part(user=user, report=report, kind="item", obj=item, step=1),
        lambda: editing.add_section(user=user, report=report),
    ]
    for attempt in attempts:
        if allowed:
            attempt()
        else:
            with pytest.raises(EditRefused):
                attempt()
    report.refresh_from_db()
    assert (report.version > 1) == allowed
    assert (Item.objects.filter(text="改。").exists()) == allowed


def test_a_measure_in_use_cannot_be_removed_from_the_panel(report, drafter, measure_factory):
    measure = measure_factory(report, "学习会议", value=3)
    item = heading_items(report)[0]
    save(drafter, report, item, "item", {"text": "召开学习会议{{measure:%d}}。" % measure.id})
    value = report.measure_values.get()
    with pytest.raises(EditRefused):
        editing.remove_measure(user=drafter, report=report, measure_value=value)
    assert report.measure_values.count() == 1


def test_a_saved_signature_is_in_the_callers_report_at_once(report, drafter):
    """The editor shows the sheet from the report it passed in: the date just saved is on it."""
    values = {**part_values(report, "signature"), "signature_date": date(2023, 7, 8)}
    save(drafter, report, report, "signature", values)
    assert report.signature_date == date(2023, 7, 8)
    assert [p.text for p in build_document(report).paragraphs if p.kind == Kind.DATE] == ["2023年7月8日"]


def test_a_fraction_of_a_count_is_refused_by_the_rule_itself(report, drafter, measure_factory):
    """Whole counts are whole wherever a value is set, not only through the panel's form."""
    measure = measure_factory(report, "学习会议", value=3)
    value = report.measure_values.get(measure=measure)
    with pytest.raises(ValidationError, match="只能填写整数"):
        editing.set_measure_value(user=drafter, report=report, measure_value=value, value=Decimal("3.5"))
    value.refresh_from_db()
    assert value.value == 3


def test_every_write_leaves_the_callers_report_at_the_version_it_wrote(report, drafter, measure_factory):
    """The editor renders its next forms from the report it passed in: after each write that
    report must be at the row's version, or the user's next save would be a false conflict."""
    measure = measure_factory(report, "学习会议", value=3)
    item = heading_items(report)[0]
    writes = [
        lambda: save(drafter, report, item, "item", {"text": "改。"}),
        lambda: editing.move_part(user=drafter, report=report, kind="item", obj=item, step=1),
        lambda: editing.add_section(user=drafter, report=report),
        lambda: editing.add_heading(user=drafter, report=report, section=item.section),
        lambda: editing.add_item(user=drafter, report=report, section=item.section, heading=item.heading),
        lambda: editing.set_items_layout(user=drafter, report=report, layout="paragraphs"),
        lambda: editing.add_measure(user=drafter, report=report, name="谈话", unit="人次"),
        lambda: editing.set_measure_value(user=drafter, report=report,
                                          measure_value=report.measure_values.get(measure=measure), value=5),
        lambda: editing.remove_measure(user=drafter, report=report, measure_value=report.measure_values.get(measure=measure)),
        lambda: editing.delete_part(user=drafter, report=report, kind="item", obj=item, base_version=report.version,
                                    base_fingerprint=fingerprint(part_values(Item.objects.get(pk=item.pk), "item"))),
    ]
    for number, write in enumerate(writes, 2):
        write()
        assert report.version == Report.objects.get(pk=report.pk).version == number


@pytest.mark.parametrize(
    "status, message",
    [("submitted", "这份报告已提交，不能再修改。"), ("approved", "这份报告已审定，不能再修改。")],
)
def test_a_frozen_report_is_refused_in_plain_words(report, drafter, status, message):
    Report.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    with pytest.raises(EditRefused) as refused:
        editing.add_section(user=drafter, report=report)
    assert refused.value.message == message


def test_a_conflicted_save_is_rebased_on_the_part_as_it_now_is(report, drafter, make_user, tree):
    colleague = make_user(organization=tree["cppcc"], role=Membership.Role.DRAFTER)
    first, second, _third = heading_items(report)
    stale = Report.objects.get(pk=report.pk)
    save(colleague, report, first, "item", {"text": "同事的文字。"})
    with pytest.raises(EditConflict):
        save(drafter, stale, first, "item", {"text": "我的文字。"}, base={"text": "学习甲。"})
    base = editing.conflict_base(report=stale, kind="item", obj=first)
    assert base == (stale.version, fingerprint({"text": "同事的文字。"})) and stale.version == report.version
    # Saving again on that base overwrites theirs, deliberately.
    editing.save_part(user=drafter, report=stale, kind="item", obj=first, values={"text": "我的文字。"},
                      base_version=base[0], base_fingerprint=base[1])
    assert heading_items(report)[0].text == "我的文字。"
    # A part deleted meanwhile has nothing to be rebased on.
    Item.objects.filter(pk=second.pk).delete()
    assert editing.conflict_base(report=stale, kind="item", obj=second) is None



def test_a_measure_typed_by_name_is_the_common_one_when_the_catalogue_has_it(report, drafter, tree):
    """So that the quarter's summary adds every body's figure up in one row, the editor and the
    importer take the same measure for the same name and unit."""
    from reports.models import Measure
    from reports.word.importing import create_report, parse_text

    common = Measure.objects.create(name="理论学习中心组学习会议", unit="次")
    assert editing.add_measure(user=drafter, report=report, name="理论学习中心组学习会议", unit="次").measure == common
    # A name the catalogue does not have becomes the body's own, once.
    own = editing.add_measure(user=drafter, report=report, name="廉政谈话", unit="人次").measure
    assert own.organization == tree["cppcc"]
    imported = create_report(parse_text("一、主要做法\n一是召开理论学习中心组学习会议3次。二是开展廉政谈话26人次。"),
                             organization=tree["cppcc"], year=2023, quarter=2, user=drafter)
    assert {value.measure for value in imported.measure_values.all()} == {common, own}
    assert Measure.objects.count() == 2


@pytest.mark.parametrize("write", ["delete_part", "move_part"])
def test_the_report_itself_is_never_moved_or_deleted_as_a_part(report_factory, tree, drafter, write):
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", ["学习。"])])
    extra = {"step": 1} if write == "move_part" else {"base_version": report.version, "base_fingerprint": ""}
    with pytest.raises(ValueError):
        getattr(editing, write)(user=drafter, report=report, kind="title", obj=report, **extra)
    assert Report.objects.filter(pk=report.pk).exists()


def structure(report):
    report.refresh_from_db()
    return (report.version, sorted(Item.objects.filter(section__report=report).values_list("id", "heading", "position")),
            sorted(report.sections.values_list("id", "position")))


def test_adding_after_a_part_of_another_list_is_refused_and_writes_nothing(report, report_factory, tree, drafter):
    practices, problems = report.sections.order_by("position")
    first_heading, second_heading = practices.headings.order_by("position")
    other_item = heading_items(report, 1)[0]  # an item of the second heading
    other_report = report_factory(tree["cppcc"], quarter=2, sections=[("甲", "practices", ["其他报告的一项。"])])
    before = structure(report)
    attempts = [
        lambda: editing.add_item(user=drafter, report=report, section=practices, heading=first_heading, after=other_item),
        lambda: editing.add_item(user=drafter, report=report, section=problems, after=other_item),
        lambda: editing.add_item(user=drafter, report=report, section=problems, heading=first_heading),
        lambda: editing.add_item(user=drafter, report=report, section=problems,
                                 after=Item.objects.get(section__report=other_report)),
        lambda: editing.add_heading(user=drafter, report=report, section=problems, after=second_heading),
        lambda: editing.add_section(user=drafter, report=report, after=other_report.sections.get()),
    ]
    for attempt in attempts:
        with pytest.raises(EditRefused) as refused:
            attempt()
        assert refused.value.code == "wrong_place"
    assert structure(report) == before


@pytest.mark.parametrize("add", ["add_section", "add_heading", "add_item"])
def test_a_report_built_up_one_part_at_a_time_is_held_to_the_importers_limit(report_factory, tree, drafter, monkeypatch, add):
    """The importer refuses a report of more than MAX_REPORT_PARTS parts; the editor refuses the
    part that would pass it, with the limit in its words, and writes nothing."""
    monkeypatch.setattr("reports.drafting.editing.MAX_REPORT_PARTS", 3)
    report = report_factory(tree["cppcc"], sections=[("主要做法", "practices", [("学习", ["学习。"])])])  # 3 parts
    section = report.sections.get()
    target = {"add_section": {}, "add_heading": {"section": section}, "add_item": {"section": section}}[add]
    with pytest.raises(EditRefused) as refused:
        getattr(editing, add)(user=drafter, report=report, **target)
    assert refused.value.code == "too_many_parts" and "3 个" in refused.value.message
    assert Item.objects.filter(section__report=report).count() == 1 and report.sections.count() == 1
