"""The sheet of people: 姓名, 用户名, 电子邮箱, 手机, 单位, 角色 (起草人, 审核人 or 督办人), one row
for each role a person holds in a body.

A row creates the person when their 用户名 is new, with no usable password and a link to set one
mailed once the import has committed (reports.onboarding.sign_in; none with a directory), and
updates their 姓名, 电子邮箱 and 手机 when those changed; the role in the body is created once. An
unknown body, a role that does not exist, a malformed e-mail and a row without a 用户名 are refused
with their reason, and a sheet with any refused row writes nothing. Re-importing the same sheet
changes nothing; nothing is ever deleted.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, widgets

from reports.models import Contact, Membership
from reports.onboarding.sheets import BodyByName, SheetResource, check_cells, in_batches
from reports.onboarding.sign_in import send_sign_in_links

NAME, USERNAME, EMAIL, PHONE, BODY, ROLE = (gettext_lazy("姓名"), gettext_lazy("用户名"), gettext_lazy("电子邮箱"),
                                           gettext_lazy("手机"), gettext_lazy("单位"), gettext_lazy("角色"))


def _cell(row, column):
    value = row.get(str(column))
    return "" if value is None else str(value).strip()


class RoleWidget(widgets.Widget):
    """A role by its Chinese name (起草人) or its code (drafter)."""

    def clean(self, value, row=None, **kwargs):
        text = (value or "").strip()
        for code, label in Membership.Role.choices:
            if text in (code, str(label)):
                return code
        names = "、".join(str(label) for _code, label in Membership.Role.choices)
        raise ValueError(_("角色“%(role)s”不存在，应为%(names)s。") % {"role": text, "names": names})

    def render(self, value, obj=None, **kwargs):
        return str(Membership.Role(value).label) if value else ""


class UserWidget(widgets.ForeignKeyWidget):
    """A person by their 用户名, from the people the sheet's import has loaded or created."""

    def __init__(self):
        super().__init__(get_user_model(), field="username")
        self.known = None

    def clean(self, value, row=None, **kwargs):
        username = (value or "").strip()
        if self.known is not None:
            return self.known[username]
        return get_user_model().objects.get(username=username)


class PersonResource(SheetResource):
    name = fields.Field(column_name=str(NAME), readonly=True)
    user = fields.Field(attribute="user", column_name=str(USERNAME), widget=UserWidget())
    email = fields.Field(column_name=str(EMAIL), readonly=True)
    phone = fields.Field(column_name=str(PHONE), readonly=True)
    organization = fields.Field(attribute="organization", column_name=str(BODY),
                                widget=BodyByName(unknown=gettext_lazy("单位“%(name)s”不存在：请先导入单位表。"),
                                                  empty=gettext_lazy("单位不能为空。")))
    role = fields.Field(attribute="role", column_name=str(ROLE), widget=RoleWidget())

    class Meta:
        model = Membership
        fields = ("name", "user", "email", "phone", "organization", "role")
        import_id_fields = ("user", "organization", "role")
        skip_unchanged = True
        report_skipped = True
        store_row_values = True  # a refused row's cells, for its preview
        skip_html_diff = True  # the changed columns are what the preview shows (sheets.SheetResource)
        verbose_name = gettext_lazy("成员")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.created = []

    def before_import(self, dataset, **kwargs):
        """The people, bodies, phones and roles the sheet names, each loaded in a few queries:
        a row then costs its writes only, whatever the size of the sheet."""
        super().before_import(dataset, **kwargs)
        rows = [dict(zip(dataset.headers or [], row, strict=False)) for row in dataset]
        self.users = {user.username: user for user in in_batches(
            get_user_model().objects.all(), "username", sorted({_cell(row, USERNAME) for row in rows} - {""}))}
        self.fields["user"].widget.known = self.users
        self.fields["organization"].widget.preload(_cell(row, BODY) for row in rows)
        ids = sorted(user.pk for user in self.users.values())
        self.phones = dict(in_batches(Contact.objects.values_list("user_id", "phone"), "user_id", ids))
        self.memberships = {(held.user_id, held.organization_id, held.role): held
                            for held in in_batches(Membership.objects.all(), "user_id", ids)}

    def get_instance(self, instance_loader, row):
        """The role from those loaded by before_import (or saved by an earlier row of the sheet)."""
        user = self.users[_cell(row, USERNAME)]
        organization = self.fields["organization"].widget.clean(row.get(str(BODY)))
        return self.memberships.get((user.pk, organization.pk, self.fields["role"].widget.clean(row.get(str(ROLE)))))

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        self.memberships[(instance.user_id, instance.organization_id, instance.role)] = instance

    def after_import(self, dataset, result, **kwargs):
        """New people are sent their link to set a password once the import has committed
        (reports.onboarding.sign_in); a preview sends nothing."""
        super().after_import(dataset, result, **kwargs)
        # With a directory, people sign in with its account: no password of ours to set.
        if not settings.JIBAO_LDAP_URL and not kwargs.get("dry_run") and not result.has_errors() \
                and not result.has_validation_errors():
            send_sign_in_links(self.created)

    def before_import_row(self, row, **kwargs):
        """The person first: created or brought up to date, so that the role can name them."""
        super().before_import_row(row, **kwargs)
        username, email = _cell(row, USERNAME), _cell(row, EMAIL)
        if not username:
            raise ValidationError(_("用户名不能为空。"))
        # They find the row's role: a bad one is the row's reason, not an error.
        check_cells(row, [(self.fields["organization"].widget, BODY), (self.fields["role"].widget, ROLE)])
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(_("电子邮箱“%(email)s”格式不正确。") % {"email": email}) from None
        user = self.users.get(username)
        created = user is None
        if created:
            user = self.users[username] = get_user_model()(username=username)
            user.set_unusable_password()
            self.created.append(user)
        wanted = {"first_name": (NAME, _cell(row, NAME)), "email": (EMAIL, email)}
        if not created:
            self.changes += [str(column) for key, (column, value) in wanted.items() if getattr(user, key) != value]
        if created or self.changes:
            for key, (_column, value) in wanted.items():
                setattr(user, key, value)
            user.save()
        phone = _cell(row, PHONE)
        if self.phones.get(user.pk, "") != phone:
            Contact.objects.update_or_create(user=user, defaults={"phone": phone})
            if not created:
                self.changes.append(str(PHONE))
            self.phones[user.pk] = phone
        self.person_changed = created or bool(self.changes)
        row[str(USERNAME)] = username

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # The role unchanged, the person's details may still have changed: that row is an update.
        return not self.person_changed and super().skip_row(instance, original, row, import_validation_errors)

    def dehydrate_name(self, membership):
        return membership.user.first_name

    def dehydrate_email(self, membership):
        return membership.user.email

    def dehydrate_phone(self, membership):
        contact = getattr(membership.user, "contact", None)  # a person without one has no phone
        return contact.phone if contact else ""

    def filter_export(self, queryset, **kwargs):
        # Each row's person, body and phone with the row itself: an export of a province is one query.
        return queryset.select_related("user__contact", "organization")
