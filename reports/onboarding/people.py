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
from reports.onboarding.sheets import BodyByName, SheetResource, check_cells
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
    def __init__(self):
        super().__init__(get_user_model(), field="username")

    def clean(self, value, row=None, **kwargs):
        return get_user_model().objects.get(username=(value or "").strip())


BODY_WIDGET = BodyByName(unknown=gettext_lazy("单位“%(name)s”不存在：请先导入单位表。"), empty=gettext_lazy("单位不能为空。"))


class PersonResource(SheetResource):
    name = fields.Field(column_name=str(NAME), readonly=True)
    user = fields.Field(attribute="user", column_name=str(USERNAME), widget=UserWidget())
    email = fields.Field(column_name=str(EMAIL), readonly=True)
    phone = fields.Field(column_name=str(PHONE), readonly=True)
    organization = fields.Field(attribute="organization", column_name=str(BODY), widget=BODY_WIDGET)
    role = fields.Field(attribute="role", column_name=str(ROLE), widget=RoleWidget())

    class Meta:
        model = Membership
        fields = ("name", "user", "email", "phone", "organization", "role")
        import_id_fields = ("user", "organization", "role")
        skip_unchanged = True
        report_skipped = True
        verbose_name = gettext_lazy("人员和角色")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.created = []

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
        username, email = _cell(row, USERNAME), _cell(row, EMAIL)
        if not username:
            raise ValidationError(_("用户名不能为空。"))
        check_cells(row, [(BODY_WIDGET, BODY), (RoleWidget(), ROLE)])  # they find the row's role
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(_("电子邮箱“%(email)s”格式不正确。") % {"email": email}) from None
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            self.created.append(user)
        wanted = {"first_name": _cell(row, NAME), "email": email}
        changed = created or any(getattr(user, key) != value for key, value in wanted.items())
        if changed:
            for key, value in wanted.items():
                setattr(user, key, value)
            if created:
                user.set_unusable_password()
            user.save()
        phone = _cell(row, PHONE)
        contact = Contact.objects.filter(user=user).first()
        if (contact.phone if contact else "") != phone:
            Contact.objects.update_or_create(user=user, defaults={"phone": phone})
            changed = True
        self.person_changed = changed
        row[str(USERNAME)] = username

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # The role unchanged, the person's details may still have changed: that row is an update.
        return not self.person_changed and super().skip_row(instance, original, row, import_validation_errors)

    def dehydrate_name(self, membership):
        return membership.user.first_name

    def dehydrate_email(self, membership):
        return membership.user.email

    def dehydrate_phone(self, membership):
        contact = Contact.objects.filter(user=membership.user).first()
        return contact.phone if contact else ""
