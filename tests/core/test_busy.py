"""A transaction the database refuses because another holds a lock is told apart, by the
driver's own error on each database, from an outage and from a bad statement."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from estate.db import make_engine
from estate.db.outages import cause, is_busy, is_outage


def _refused_while_locked(engine: Engine) -> DBAPIError:
    url = engine.url.render_as_string(hide_password=False)
    waiting = make_engine(url, busy_timeout_seconds=0.05)
    try:
        with engine.connect() as holder:
            holder.begin()
            if engine.dialect.name == "sqlite":  # a first write takes the database's lock
                holder.execute(text("INSERT INTO applications (name) VALUES ('Holder')"))
            else:
                holder.execute(text("LOCK TABLE applications IN ACCESS EXCLUSIVE MODE"))
            with pytest.raises(DBAPIError) as refused, waiting.begin() as conn:
                if engine.dialect.name == "postgresql":
                    conn.execute(text("SET LOCAL lock_timeout = '50ms'"))
                conn.execute(text("INSERT INTO applications (name) VALUES ('Payroll')"))
            holder.rollback()
    finally:
        waiting.dispose()
    return refused.value


def test_a_lock_held_by_another_transaction_is_busy_not_an_outage(engine: Engine) -> None:
    refused = _refused_while_locked(engine)

    assert is_busy(refused)
    assert not is_outage(refused)
    assert "Payroll" not in cause(refused)


def test_a_bad_statement_is_neither_busy_nor_an_outage(engine: Engine) -> None:
    with pytest.raises(DBAPIError) as bad, engine.connect() as conn:
        conn.execute(text("SELECT no_such_column FROM applications"))

    assert not is_busy(bad.value)
    assert not is_outage(bad.value)
