"""Account rules: registration, authentication, invitations and password resets.

Tokens in links are random; only their SHA-256 is stored, so a database leak opens no account.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from mentoring import events, keys
from mentoring.accounts.models import Invitation, PasswordResetToken, User
from mentoring.accounts.passwords import password_problem
from mentoring.clock import utcnow
from mentoring.extensions import db
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


def create_user(account: NewAccount, role: Role) -> User:
    """Create an account; raise AccountError('username_taken' | 'weak_password').

    A taken username costs the same work as a free one, so the answer's time tells nothing more than
    its text: the password is hashed (the slow step) and the row inserted in both cases; the unique
    index on the username refuses the taken one, inside a savepoint so the caller's work stays."""
    username = normalise_username(account.username)
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
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError:
        raise AccountError("username_taken") from None
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


def find_open_invitation(token: str, now: datetime | None = None) -> Invitation:
    """Raise AccountError('invalid_link') for unknown, used or expired invitations."""
    invitation = db.session.scalars(
        select(Invitation).where(Invitation.token_hash == hash_token(token)).with_for_update()
    ).first()
    if invitation is None or invitation.used_at or invitation.expires_at <= (now or utcnow()):
        raise AccountError("invalid_link")
    return invitation


def accept_invitation(token: str, account: NewAccount) -> User:
    """Create the invited account and use up the invitation in one transaction."""
    invitation = find_open_invitation(token)
    user = create_user(account, invitation.role)
    invitation.used_at = utcnow()
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
    reset = db.session.scalars(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token)).with_for_update()
    ).first()
    if reset is None or reset.used_at or reset.expires_at <= utcnow():
        raise AccountError("invalid_link")
    return reset


def reset_password(token: str, new_password: str) -> User:
    reset = find_open_reset(token)
    set_password(reset.user, new_password)
    reset.used_at = utcnow()
    db.session.flush()
    return reset.user


# Coordinators --------------------------------------------------------------------------


def like_pattern(text: str) -> str:
    """`text` anywhere, literally: its % and _ (and the escape character) match only themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_term_ref(query: str) -> str:
    """What the audit log keeps of a search: a keyed hash of the term, as a number ("search:" and
    digits), or nothing for the plain list. The same term gives the same value, so a search can be
    confirmed by someone who knows the term, but the log names nobody."""
    term = query.strip().lower()
    return f"search:{int(keys.sign('audit-search', term)[:12], 16)}" if term else ""


def search_users(query: str = "", role: Role | None = None, limit: int = 100) -> list[User]:
    """Accounts whose username or name contains `query` (case-insensitive, % and _ literal)."""
    statement = select(User).order_by(User.username).limit(limit)
    if query.strip():
        like = like_pattern(query.strip().lower())
        statement = statement.where(
            User.username.like(like, escape="\\") | func.lower(User.display_name).like(like, escape="\\")
        )
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
