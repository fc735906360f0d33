"""Extensions are created here and initialised in create_app."""

from typing import TYPE_CHECKING, Any, cast

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import CursorResult, Executable, update

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


def decrement(column: Any, row_id: int) -> None:
    """`column - 1` for one row, never below 0 (a place or a seat given back twice changes nothing)."""
    table = column.class_
    db.session.execute(
        update(table)
        .where(table.id == row_id, column > 0)
        .values({column.key: column - 1})
        .execution_options(synchronize_session=False)
    )


def increment_if(column: Any, row_id: int, *conditions: Any) -> bool:
    """`column + 1` for one row only while `conditions` hold (e.g. `count < capacity`), in one
    conditional UPDATE: of parallel takers of the last place exactly one gets True, on SQLite as on
    PostgreSQL. The counterpart of `decrement`."""
    table = column.class_
    return (
        rows_changed(
            update(table)
            .where(table.id == row_id, *conditions)
            .values({column.key: column + 1})
            .execution_options(synchronize_session=False)
        )
        == 1
    )


def rows_changed(statement: Executable) -> int:
    """Run an UPDATE or DELETE in the current transaction; how many rows it changed."""
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount
