from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from mentoring import keys
from mentoring.accounts import bp, services
from mentoring.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    InvitationForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from mentoring.audit import audit
from mentoring.extensions import db
from mentoring.i18n.locale import remember_locale, shipped_languages
from mentoring.links import public_url
from mentoring.notifications.services import queue_email
from mentoring.ratelimits import rate_limit
from mentoring.security import Role, login_required, public, role_required, safe_next_url


def new_account(form, locale: str) -> services.NewAccount:
    return services.NewAccount(
        username=form.username.data,
        password=form.password.data,
        locale=locale,
        display_name=(getattr(form, "display_name", None) and form.display_name.data) or "",
        email=(getattr(form, "email", None) and form.email.data) or None,
        phone=(getattr(form, "phone", None) and form.phone.data) or None,
    )


def language_choices() -> list[tuple[str, str]]:
    return [(lang.code, lang.native_name) for lang in shipped_languages()]


def login_attempt_key() -> str:
    """One counter per (username, client address), under a keyed hash: no username in the limiter store.

    A per-username counter would let anyone lock the owner out with wrong guesses; this one only
    stops the address that guesses."""
    username = services.normalise_username(request.form.get("username", ""))[:40]
    return "login:" + keys.sign("login-limit", f"{username}\n{request.remote_addr}")[:32]


def login_failed(response: Response) -> bool:
    """Only failed attempts count against the login limits: a right password never uses one up."""
    return response.status_code == 422


@bp.route("/login", methods=["GET", "POST"])
@rate_limit("LOGIN_RATE_LIMIT", deduct_when=login_failed)
@rate_limit("LOGIN_USERNAME_RATE_LIMIT", key_func=login_attempt_key, deduct_when=login_failed)
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            db.session.commit()
            login_user(user)
            return redirect(safe_next_url(request.args.get("next"), url_for("accounts.home")), 303)
        # One message for both: never tell which of the two was wrong.
        form.password.errors.append(_("The username or the password is not right."))
    status = 422 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@public
def logout():
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("web.start"), 303)


def commit_new_account() -> bool:
    """Commit; False when a parallel request took the same username first (unique index)."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def username_taken_message() -> str:
    return _("This username is already taken. Please choose another.")


def register_as(role: Role, template: str):
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.register(new_account(form, str(get_locale())), role)
            user.privacy_version = current_app.config["PRIVACY_NOTICE_VERSION"]
        except services.AccountError as error:
            db.session.rollback()
            if error.code != "username_taken":
                raise
            form.username.errors.append(username_taken_message())
        else:
            if not commit_new_account():
                form.username.errors.append(username_taken_message())
                return render_template(template, form=form), 422
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("accounts.home"), 303)
    return render_template(template, form=form), 422 if form.errors else 200


@bp.route("/register", methods=["GET", "POST"])
@rate_limit("REGISTER_RATE_LIMIT")
@public
def register():
    return register_as(Role.PARENT, "accounts/register.html")


@bp.route("/register/mentor", methods=["GET", "POST"])
@rate_limit("REGISTER_RATE_LIMIT")
@public
def register_mentor():
    return register_as(Role.MENTOR, "accounts/register_mentor.html")


@bp.get("/home")
@login_required
def home():
    return render_template("accounts/home.html")


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    form.locale.choices = language_choices()
    if form.validate_on_submit():
        services.update_profile(
            current_user, form.display_name.data, form.email.data, form.phone.data, form.locale.data
        )
        current_user.survey_consent = bool(form.survey_consent.data)
        db.session.commit()
        flash(_("Your details are saved."), "success")
        return remember_locale(redirect(url_for("accounts.profile"), 303), form.locale.data)
    return render_template("accounts/profile.html", form=form), 422 if form.errors else 200


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    form.user_name_for_password = current_user.username
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current_password.data, form.new_password.data)
        except services.AccountError:
            db.session.rollback()
            form.current_password.errors.append(_("This is not your current password."))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # keep this session; the others end
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.home"), 303)
    return render_template("accounts/change_password.html", form=form), (422 if form.errors else 200)


@bp.route("/password/forgot", methods=["GET", "POST"])
@rate_limit("RESET_RATE_LIMIT")
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        for user in services.users_for_reset(form.identifier.data):
            token = services.create_reset_token(user, current_app.config["RESET_LINK_HOURS"])
            assert user.email is not None  # users_for_reset finds only accounts with an e-mail
            queue_email(
                user.email,
                "accounts/password_reset",
                user.locale,
                user=user,
                link=public_url("accounts.reset_password", token=token, lang=user.locale),
                hours=current_app.config["RESET_LINK_HOURS"],
            )
        db.session.commit()
        # The same answer whether or not an account was found.
        return render_template("accounts/forgot_password_sent.html")
    return render_template("accounts/forgot_password.html", form=form), (422 if form.errors else 200)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    try:
        reset = services.find_open_reset(token)
    except services.AccountError:
        db.session.rollback()
        return render_template("accounts/link_invalid.html"), 410
    form = ResetPasswordForm()
    form.user_name_for_password = reset.user.username
    if form.validate_on_submit():
        services.reset_password(token, form.new_password.data)
        db.session.commit()
        logout_user()
        flash(_("Your new password is set. Please log in."), "success")
        return redirect(url_for("accounts.login"), 303)
    db.session.rollback()
    return render_template("accounts/reset_password.html", form=form), 422 if form.errors else 200


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    try:
        invitation = services.find_open_invitation(token)
    except services.AccountError:
        db.session.rollback()
        return render_template("accounts/link_invalid.html"), 410
    if current_user.is_authenticated:
        logout_user()
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(
                token,
                services.NewAccount(
                    username=form.username.data,
                    password=form.password.data,
                    locale=str(get_locale()),
                    display_name=invitation.display_name,
                    email=invitation.email,
                ),
            )
        except services.AccountError as error:
            db.session.rollback()
            if error.code == "invalid_link":
                return render_template("accounts/link_invalid.html"), 410
            form.username.errors.append(username_taken_message())
        else:
            if not commit_new_account():
                form.username.errors.append(username_taken_message())
                return render_template(
                    "accounts/accept_invitation.html", form=form, invitation=invitation
                ), 422
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("accounts.home"), 303)
    db.session.rollback()
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation), (
        422 if form.errors else 200
    )


# Coordinators ---------------------------------------------------------------------------


@bp.get("/coordinator/users")
@role_required(Role.COORDINATOR)
def users():
    query = request.args.get("q", "")[:80]
    role = request.args.get("role", "")
    role_filter = Role(role) if role in Role.__members__.values() else None
    audit("users_viewed", detail=services.search_term_ref(query))
    db.session.commit()
    return render_template(
        "accounts/users.html",
        users=services.search_users(query, role_filter),
        query=query,
        role=role_filter,
        roles=list(Role),
    )


@bp.post("/coordinator/users/<int:user_id>/reset-link")
@role_required(Role.COORDINATOR)
def create_reset_link(user_id: int):
    user = services.get_user(user_id)
    if user is None:
        abort(404)
    token = services.create_reset_token(user, current_app.config["COORDINATOR_RESET_LINK_HOURS"])
    audit("reset_link", f"user:{user.id}")
    db.session.commit()
    link = public_url("accounts.reset_password", token=token, lang=user.locale)
    return render_template(
        "accounts/reset_link.html",
        user=user,
        link=link,
        hours=current_app.config["COORDINATOR_RESET_LINK_HOURS"],
    )


@bp.route("/coordinator/invitations", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def invitations():
    form = InvitationForm()
    form.locale.choices = language_choices()
    if request.method == "GET":
        form.locale.data = str(get_locale())
    link = None
    if form.validate_on_submit():
        invitation, token = services.create_invitation(
            current_user,
            form.display_name.data,
            form.email.data,
            form.locale.data,
            current_app.config["INVITATION_DAYS"],
        )
        link = public_url("accounts.accept_invitation", token=token, lang=invitation.locale)
        if invitation.email:
            queue_email(
                invitation.email,
                "accounts/invitation",
                invitation.locale,
                invitation=invitation,
                link=link,
                days=current_app.config["INVITATION_DAYS"],
            )
        db.session.commit()
        form = InvitationForm(formdata=None)
        form.locale.choices = language_choices()
        form.locale.data = str(get_locale())
    return render_template(
        "accounts/invitations.html",
        form=form,
        link=link,
        invitations=services.list_invitations(),
    ), (422 if form.errors else 200)
