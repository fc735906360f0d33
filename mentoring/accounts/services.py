"""Account rules: registration, authentication, invitations and password resets.

Tokens in links are random; only their SHA-256 is stored, and the messages that carry them hold them
sealed (notifications.sealing), so a database leak opens no account. A one-time link is used up by a
conditional UPDATE (`claim`), which holds on SQLite as on PostgreSQL: of parallel uses, one wins.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from mentoring import events
from mentoring.accounts.models import Invitation, PasswordResetToken, User
from mentoring.accounts.passwords import password_problem
from mentoring.clock import utcnow
from mentoring.extensions import db, rows_changed
from mentoring.links import public_url
from mentoring.notifications.services import queue_email, queue_request
from mentoring.security import Role

SELF_REGISTER_ROLES = frozenset({Role.PARENT, Role.MENTOR})

# Compared against when a username is unknown, so both failures take the same time.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


class AccountError(Exception):
    """A rule was broken; `code` says which, the view turns it into a sentence."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class NewAccount:
    username: str
    password: str
    locale: str
    display_name: str = ""
    email: str | None = None
    phone: str | None = None


def normalise_username(username: str) -> str:
    return username.strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_user_by_username(username: str) -> User | None:
    return db.session.scalars(select(User).where(User.username == normalise_username(username))).first()


def username_taken(username: str) -> bool:
    return find_user_by_username(username) is not None


def create_user(account: NewAccount, role: Role) -> User:
    """Create an account; raise AccountError('username_taken' | 'weak_password')."""
    username = normalise_username(account.username)
    if username_taken(username):
        raise AccountError("username_taken")
    if password_problem(account.password, username):
        raise AccountError("weak_password")
    user = User(
        username=username,
        password_hash=generate_password_hash(account.password),
        role=role,
        display_name=account.display_name.strip(),
        email=account.email or None,
        phone=account.phone or None,
        locale=account.locale,
    )
    db.session.add(user)
    db.session.flush()
    # The domains that keep a profile per role create it now, so no page has to on first visit.
    events.account_created.send(user)
    return user


def register(account: NewAccount, role: Role) -> User:
    """Parents and mentor applicants register themselves; other roles need an invitation."""
    if role not in SELF_REGISTER_ROLES:
        raise AccountError("role_not_open")
    return create_user(account, role)


def authenticate(username: str, password: str) -> User | None:
    """Return the user for a correct username and password, else None, in the same time."""
    user = find_user_by_username(username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user


def set_password(user: User, new_password: str) -> None:
    """Set a new password and end every other session of this user."""
    if password_problem(new_password, user.username):
        raise AccountError("weak_password")
    user.password_hash = generate_password_hash(new_password)
    user.session_version += 1
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise AccountError("wrong_password")
    set_password(user, new_password)


def update_profile(user: User, display_name: str, email: str | None, phone: str | None, locale: str) -> None:
    user.display_name = display_name.strip()
    user.email = email or None
    user.phone = phone or None
    user.locale = locale
    db.session.flush()


# Invitations ---------------------------------------------------------------------------


def create_invitation(
    created_by: User, display_name: str, email: str | None, locale: str, days: int
) -> tuple[Invitation, str]:
    """A single-use link for an expert to join; returns the invitation and the raw token."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=hash_token(token),
        role=Role.EXPERT,
        display_name=display_name.strip(),
        email=email or None,
        locale=locale,
        created_by_id=created_by.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def send_invitation(invitation: Invitation, token: str, days: int) -> str:
    """E-mail the invitation link (sealed in the outbox) when there is an address; returns the link."""
    link = public_url("accounts.accept_invitation", token=token, lang=invitation.locale)
    if invitation.email:
        queue_email(
            invitation.email,
            "accounts/invitation",
            invitation.locale,
            links={"link": link},
            invitation=invitation,
            days=days,
        )
    return link


def find_open_invitation(token: str, now: datetime | None = None) -> Invitation:
    """Raise AccountError('invalid_link') for unknown, used or expired invitations (reads only)."""
    invitation = db.session.scalars(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    ).first()
    if invitation is None or invitation.used_at or invitation.expires_at <= (now or utcnow()):
        raise AccountError("invalid_link")
    return invitation


def claim(model: type[Invitation] | type[PasswordResetToken], row_id: int, now: datetime) -> None:
    """Use up a one-time link: `UPDATE … SET used_at = now WHERE id = … AND used_at IS NULL AND not
    expired`. Exactly one of parallel uses changes the row; the others raise AccountError('invalid_link').
    SQLite ignores SELECT … FOR UPDATE, so this write, not a lock, decides."""
    claimed = rows_changed(
        update(model)
        .where(model.id == row_id, model.used_at.is_(None), model.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        raise AccountError("invalid_link")


def accept_invitation(token: str, account: NewAccount) -> User:
    """Use up the invitation, then create the invited account, in one transaction."""
    invitation = find_open_invitation(token)
    now = utcnow()
    claim(Invitation, invitation.id, now)
    user = create_user(account, invitation.role)
    invitation.used_at = now
    invitation.used_by_id = user.id
    db.session.flush()
    return user


def list_invitations() -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).order_by(Invitation.created_at.desc())))


# Password reset ------------------------------------------------------------------------


def create_reset_token(user: User, hours: int) -> str:
    """Issue a reset link token for `user`; earlier unused ones stop working."""
    now = utcnow()
    for old in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        old.used_at = now
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordResetToken(
            token_hash=hash_token(token), user_id=user.id, expires_at=now + timedelta(hours=hours)
        )
    )
    db.session.flush()
    return token


RESET_REQUEST = "password-reset"


def request_password_reset(identifier: str, hours: int) -> None:
    """'Forgot password': the same work whether or not the identifier has an account.

    One sealed request row, always; the outbox worker looks the identifier up (send_reset_links),
    so neither the answer nor its timing tells whether an account exists.
    """
    queue_request(RESET_REQUEST, {"identifier": identifier.strip().lower()[:254], "hours": str(hours)})


def send_reset_links(values: dict[str, str]) -> None:
    """The outbox worker's side of a reset request: a fresh link for each account the identifier
    names, e-mailed in the account's language; an unknown identifier gives nothing, and leaves nothing."""
    hours = int(values.get("hours", "2"))
    for user in users_for_reset(values.get("identifier", "")):
        token = create_reset_token(user, hours)
        assert user.email is not None  # users_for_reset finds only accounts with an e-mail
        queue_email(
            user.email,
            "accounts/password_reset",
            user.locale,
            links={"link": public_url("accounts.reset_password", token=token, lang=user.locale)},
            user=user,
            hours=hours,
        )


def users_for_reset(identifier: str) -> list[User]:
    """Accounts a 'forgot password' request may e-mail: by username or e-mail, with an e-mail."""
    identifier = identifier.strip().lower()
    if not identifier:
        return []
    query = select(User).where(
        User.email.is_not(None),
        (User.username == identifier) | (func.lower(User.email) == identifier),
    )
    return [user for user in db.session.scalars(query) if user.is_active]


def find_open_reset(token: str) -> PasswordResetToken:
    """Raise AccountError('invalid_link') for unknown, used or expired reset links (reads only)."""
    reset = db.session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))
    ).first()
    if reset is None or reset.used_at or reset.expires_at <= utcnow():
        raise AccountError("invalid_link")
    return reset


def reset_password(token: str, new_password: str) -> User:
    """Use up the link, then set the password; of parallel uses of one link, one sets it."""
    reset = find_open_reset(token)
    if password_problem(new_password, reset.user.username):
        raise AccountError("weak_password")
    now = utcnow()
    claim(PasswordResetToken, reset.id, now)
    set_password(reset.user, new_password)
    reset.used_at = now
    db.session.flush()
    return reset.user


# Coordinators --------------------------------------------------------------------------


def search_users(query: str = "", role: Role | None = None, limit: int = 100) -> list[User]:
    statement = select(User).order_by(User.username).limit(limit)
    if query:
        like = f"%{query.strip().lower()}%"
        statement = statement.where(User.username.like(like) | func.lower(User.display_name).like(like))
    if role:
        statement = statement.where(User.role == role)
    return list(db.session.scalars(statement))


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def load_session_user(session_id: str) -> User | None:
    """Flask-Login loader: `<id>:<session_version>`; an old version means the password changed."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_version != int(version):
        return None
    return user
