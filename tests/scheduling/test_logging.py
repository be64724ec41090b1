"""`[logging] format = "json"`: one JSON object per line, extra fields kept."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from estate.config import LoggingSettings
from estate.operations.logs import configure_logging


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_root_logger")
def test_json_lines_carry_level_logger_message_and_extras() -> None:
    stream = io.StringIO()
    configure_logging(LoggingSettings(format="json", level="INFO"), stream)

    logging.getLogger("estate.test").info("scan of %s: %s", "vcenter", "ok", extra={"run": 7})
    logging.getLogger("estate.test").debug("not at INFO")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("uvicorn.error").exception("failed")

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert {k: first[k] for k in ("level", "logger", "message", "run")} == {
        "level": "info",
        "logger": "estate.test",
        "message": "scan of vcenter: ok",
        "run": 7,
    }
    assert first["time"].endswith("+00:00")
    assert (second["logger"], second["message"]) == ("uvicorn.error", "failed")
    assert "RuntimeError: boom" in second["exception"]


@pytest.mark.usefixtures("restore_root_logger")
def test_text_lines() -> None:
    stream = io.StringIO()
    configure_logging(LoggingSettings(), stream)

    logging.getLogger("estate.test").warning("source busy")

    assert stream.getvalue().rstrip().endswith("WARNING estate.test: source busy")
