"""Password rules in the product's words. Django's zh_Hans catalogue has no Chinese for the length
rule's message (it reads in English): the same rule, said in Chinese."""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("密码太短，至少要有 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少要有 %(min_length)d 个字符。") % {"min_length": self.min_length}
