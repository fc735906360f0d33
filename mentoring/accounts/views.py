import time

from flask import (
    Response,
    abort,
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user
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
    ResetLinkForm,
    ResetPasswordForm,
)
from mentoring.accounts.sessions import current_session_id, sign_in, sign_out
from mentoring.audit import audit
from mentoring.extensions import db
from mentoring.forms import BaseForm
from mentoring.i18n.locale import remember_locale, shipped_languages
from mentoring.links import public_url
from mentoring.ratelimits import rate_limit
from mentoring.security import (
    Role,
    answer_no_sooner,
    login_required,
    public,
    role_required,
    safe_next_url,
    security_log,
)


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
            sign_in(user)
            db.session.commit()
            security_log("login", user.username)
            return redirect(safe_next_url(request.args.get("next"), url_for("accounts.home")), 303)
        security_log("login", services.normalise_username(form.username.data), "failed")
        # One message for both: never tell which of the two was wrong.
        form.password.errors.append(_("The username or the password is not right."))
    status = 422 if form.errors else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@public
def logout():
    username = current_user.username if current_user.is_authenticated else ""
    sign_out()
    db.session.commit()
    if username:
        security_log("logout", username)
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
    started = time.perf_counter()
    form = RegisterForm()
    if form.validate_on_submit():
        # "Taken" and "created" answer after the same time, so the time tells nobody who has an account.
        @after_this_request
        def same_time(response: Response) -> Response:
            return answer_no_sooner(response, started, current_app.config["REGISTER_ANSWER_SECONDS"])

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
            sign_in(user)
            db.session.commit()
            security_log("login", user.username, "registered")
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
        try:
            contact_changed = services.update_profile(
                current_user,
                form.display_name.data,
                form.email.data,
                form.phone.data,
                form.locale.data,
                form.current_password.data,
            )
        except services.AccountError:
            db.session.rollback()
            security_log("contact_changed", current_user.username, "wrong_password")
            form.current_password.errors.append(
                _("Please enter your current password to change your e-mail address or phone number.")
            )
            return render_template("accounts/profile.html", form=form), 422
        current_user.survey_consent = bool(form.survey_consent.data)
        db.session.commit()
        if contact_changed:
            security_log("contact_changed", current_user.username)
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
            services.change_password(
                current_user, form.current_password.data, form.new_password.data, current_session_id()
            )
        except services.AccountError:
            db.session.rollback()
            security_log("password_changed", current_user.username, "wrong_password")
            form.current_password.errors.append(_("This is not your current password."))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # keep this session; the others end
            security_log("password_changed", current_user.username)
            flash(_("Your password is changed."), "success")
            return redirect(url_for("accounts.home"), 303)
    return render_template("accounts/change_password.html", form=form), (422 if form.errors else 200)


@bp.route("/password/forgot", methods=["GET", "POST"])
@rate_limit("RESET_RATE_LIMIT")
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.identifier.data, current_app.config["RESET_LINK_HOURS"])
        db.session.commit()
        # The same answer, after the same work, whether or not there is an account.
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
        try:
            user = services.reset_password(token, form.new_password.data)
        except services.AccountError as error:
            db.session.rollback()
            if error.code != "invalid_link":  # the form already refused weak passwords
                raise
            return render_template("accounts/link_invalid.html"), 410  # a parallel use won
        username = user.username
        sign_out()
        db.session.commit()
        security_log("password_reset", username)
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
        sign_out()  # the invitation makes a new account; whoever was logged in here is not it
        db.session.commit()
        invitation = services.find_open_invitation(token)
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
                security_log("invitation_used", form.username.data or "", "invalid_link")
                return render_template("accounts/link_invalid.html"), 410
            form.username.errors.append(username_taken_message())
        else:
            if not commit_new_account():
                form.username.errors.append(username_taken_message())
                return render_template(
                    "accounts/accept_invitation.html", form=form, invitation=invitation
                ), 422
            sign_in(user)
            db.session.commit()
            security_log("invitation_used", user.username, invitation=f"invitation:{invitation.id}")
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
        may_reset=services.may_get_coordinator_reset_link,
        query=query,
        role=role_filter,
        roles=list(Role),
    )


@bp.route("/coordinator/users/<int:user_id>/reset-link", methods=["GET", "POST"])
@role_required(Role.COORDINATOR)
def create_reset_link(user_id: int):
    """Only for parents and mentor parents without e-mail, with a reason that goes into the audit log."""
    user = services.get_user(user_id)
    if user is None:
        abort(404)
    if not services.may_get_coordinator_reset_link(user):
        return render_template("accounts/reset_link_refused.html", user=user), 422
    form = ResetLinkForm()
    if not form.validate_on_submit():
        return render_template("accounts/reset_link_form.html", user=user, form=form), (
            422 if form.errors else 200
        )
    hours = current_app.config["COORDINATOR_RESET_LINK_HOURS"]
    token = services.create_coordinator_reset_link(user, hours)
    audit("reset_link", f"user:{user.id}", form.reason.data.strip())
    db.session.commit()
    security_log("reset_link_made", user.username, by=current_user.username)
    link = public_url("accounts.reset_password", token=token, lang=user.locale)
    return render_template("accounts/reset_link.html", user=user, link=link, hours=hours)


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
        audit("invitation_created", f"invitation:{invitation.id}")
        link = services.send_invitation(invitation, token, current_app.config["INVITATION_DAYS"])
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


# Sessions -------------------------------------------------------------------------------


@bp.get("/account/sessions")
@login_required
def sessions():
    token = current_session_id()
    rows = services.list_sessions(current_user)
    return render_template(
        "accounts/sessions.html",
        sessions=[(row, services.is_this_session(row, token)) for row in rows],
        form=BaseForm(formdata=None),
    )


@bp.post("/account/sessions/<int:session_id>/end")
@login_required
def end_session(session_id: int):
    if not BaseForm().validate_on_submit():
        abort(400)
    try:
        services.end_session_of(current_user, session_id)
    except services.AccountError:
        abort(404)
    db.session.commit()
    security_log("session_ended", current_user.username)
    flash(_("The session is ended."), "success")
    return redirect(url_for("accounts.sessions"), 303)


@bp.post("/account/sessions/end-others")
@login_required
def end_other_sessions():
    if not BaseForm().validate_on_submit():
        abort(400)
    ended = services.end_sessions(current_user, keep=current_session_id())
    db.session.commit()
    security_log("sessions_ended", current_user.username, count=ended)
    flash(_("You are signed out everywhere else."), "success")
    return redirect(url_for("accounts.sessions"), 303)
