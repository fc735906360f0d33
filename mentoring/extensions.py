"""Extensions are created here and initialised in create_app."""

from typing import TYPE_CHECKING, Any, cast

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import CursorResult, Executable

from mentoring.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()

# Models subclass `Model`. Flask-SQLAlchemy builds `db.Model` at run time from `Base`, which a type
# checker cannot follow, so it is told the truth it can check: every model is a `Base`.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the current transaction; how many rows it changed."""
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount
