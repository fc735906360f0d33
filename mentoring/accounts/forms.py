from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, PasswordField, StringField
from wtforms.validators import InputRequired, ValidationError

from mentoring.accounts.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from mentoring.forms import (
    BaseForm,
    ChoiceField,
    confirm_field,
    email_field,
    max_length,
    optional,
    phone_field,
    required,
    username_shape,
)


def good_password(username_field: str | None = "username"):
    def check(form: FlaskForm, field: Field) -> None:
        username = ""
        if username_field and username_field in form:
            username = form[username_field].data or ""
        elif getattr(form, "user_name_for_password", None):
            username = form.user_name_for_password
        problem = password_problem(field.data or "", username)
        if problem == "too_short":
            raise ValidationError(_l("The password needs at least %(min)d characters.", min=MIN_LENGTH))
        if problem == "too_long":
            raise ValidationError(_l("Please use at most %(max)d characters.", max=MAX_LENGTH))
        if problem == "too_common":
            raise ValidationError(
                _l("This password is too easy to guess. Try a short sentence you can remember.")
            )

    return check


def password_field(label: str, username_field: str | None = "username") -> PasswordField:
    return PasswordField(
        label,
        [required(_l("Please choose a password.")), good_password(username_field)],
        description=_l("At least %(min)d characters. A short sentence is easy to remember.", min=MIN_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )


def username_field() -> StringField:
    return StringField(
        _l("Username"),
        [required(_l("Please choose a username.")), max_length(40), username_shape],
        description=_l("You log in with this name. It does not have to be your real name."),
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )


def display_name_field(label: str | None = None) -> StringField:
    return StringField(
        label or _l("Your name or nickname (optional)"),
        [optional(), max_length(80)],
        render_kw={"autocomplete": "nickname"},
    )


class LoginForm(BaseForm):
    username = StringField(
        _l("Username"),
        [required(_l("Please enter your username.")), max_length(40)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        [required(_l("Please enter your password.")), max_length(128)],
        render_kw={"autocomplete": "current-password"},
    )


class RegisterForm(BaseForm):
    username = username_field()
    password = password_field(_l("Password"))
    password_confirm = confirm_field("password")
    display_name = display_name_field()
    email = email_field()
    phone = phone_field()
    consent = BooleanField(
        _l("I have read the privacy notice and agree that my details are stored for my account."),
        [
            InputRequired(
                message=_l("Please agree to the privacy notice, otherwise we cannot create the account.")
            )
        ],
    )


class AcceptInvitationForm(BaseForm):
    username = username_field()
    password = password_field(_l("Password"))
    password_confirm = confirm_field("password")


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        [required(_l("Please enter your current password.")), max_length(128)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = password_field(_l("New password"), username_field=None)
    new_password_confirm = confirm_field("new_password")


class ForgotPasswordForm(BaseForm):
    identifier = StringField(
        _l("Username or e-mail address"),
        [required(_l("Please enter your username or e-mail address.")), max_length(254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )


class ResetPasswordForm(BaseForm):
    new_password = password_field(_l("New password"), username_field=None)
    new_password_confirm = confirm_field("new_password")


class ProfileForm(BaseForm):
    display_name = display_name_field()
    email = email_field()
    phone = phone_field()
    locale = ChoiceField(_l("Language for pages and messages"), [required()], choices=[])
    survey_consent = BooleanField(_l("You may send me a short survey about the help I got (anonymous)."))


class InvitationForm(BaseForm):
    display_name = StringField(
        _l("Name of the expert"),
        [required(_l("Please enter the name of the expert.")), max_length(80)],
        render_kw={"autocomplete": "off"},
    )
    email = email_field()
    locale = ChoiceField(_l("Language of the invitation"), [required()], choices=[])
