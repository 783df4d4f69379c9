"""First sign-in: a person created by an onboarding sheet has no usable password and is sent a
link to set one (Django's password-reset tokens: valid for PASSWORD_RESET_TIMEOUT, once, until the
password changes). The same page serves whoever forgot their password, and people imported without
one may ask for a link there too."""

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from reports.review.notices import deliver_each


def sign_in_path(user) -> str:
    """The path of the page where `user` sets their password."""
    return reverse("password_reset_confirm", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                                                     "token": default_token_generator.make_token(user)})


def send_sign_in_links(users) -> list[str]:
    """Each person with an e-mail address gets their own link, mailed after the transaction
    commits (reports.mail: retried, never in the request). Returns the addresses."""
    subject = _("【季报】请设置密码后登录")
    return deliver_each([
        (user, subject,
         _("%(name)s：您已被添加为季报的用户，用户名为 %(username)s。请打开下面的链接设置密码后登录；"
           "链接只能使用一次。") % {"name": user.get_full_name() or user.username, "username": user.username},
         sign_in_path(user))
        for user in users if user.email and user.is_active])


def sign_in_links_served(sender, request, user, **kwargs):
    """Connected to `user_logged_in`: once a person is signed in, by whatever way, the notices that
    only brought them a sign-in link have served, and their link no longer works after the
    password is set. They are marked read, so a first page does not greet a person with them."""
    from django.utils import timezone

    from reports.models import Notice

    uid_path = sign_in_path(user).rstrip("/").rsplit("/", 1)[0] + "/"
    Notice.objects.filter(user=user, read_at=None, link__startswith=uid_path).update(read_at=timezone.now())


class SignInLinkForm(auth_forms.PasswordResetForm):
    """Django's form, which mails only people who have a password: here also those imported
    without one, who have never signed in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("电子邮箱")  # as the sheets and the admin call it

    def get_users(self, email):
        model = get_user_model()
        return (user for user in model._default_manager.filter(email__iexact=email, is_active=True)
                if auth_forms._unicode_ci_compare(email, user.email))

    def save(self, **kwargs):
        """Mailed as every notice is (reports.mail), never by the request itself."""
        send_sign_in_links(self.get_users(self.cleaned_data["email"]))


class LoginView(auth_views.LoginView):
    """The login page, which offers 统一身份认证登录 when a CAS server is configured."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cas_sign_in": bool(settings.JIBAO_CAS_URL)}


@login_not_required
def cas_login(request):
    """统一身份认证: to the CAS server and back with its ticket (django-cas-ng), then to the reports,
    or to the page that says whom to ask for a role. Not found without a CAS server."""
    if not settings.JIBAO_CAS_URL:
        raise Http404
    from django_cas_ng.views import LoginView as CASLoginView

    return CASLoginView.as_view()(request)
