from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import InputRequired

from mentoring.forms import BaseForm, required


class DeleteAccountForm(BaseForm):
    password = PasswordField(_l("Your password"), [required(_l("Please enter your password."))])
    understood = BooleanField(
        _l("I understand: my account and my details are deleted and cannot be brought back."),
        [InputRequired(message=_l("Please tick the box to confirm."))],
    )
