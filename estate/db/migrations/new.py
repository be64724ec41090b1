"""Write the next migration from the difference between the models and the migrations.

python -m estate.db.migrations.new "what changed"
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from estate.db import make_engine
from estate.db.schema import alembic_config, upgrade


def main(message: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'head.db'}"
        upgrade(make_engine(url))
        config = alembic_config(url)
        config.set_main_option(
            "file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(rev)s_%%(slug)s"
        )
        heads = ScriptDirectory.from_config(config).get_heads()
        number = max((int(h) for h in heads if h.isdigit()), default=0) + 1
        command.revision(config, message=message, autogenerate=True, rev_id=f"{number:04d}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit('usage: python -m estate.db.migrations.new "what changed"')
    main(sys.argv[1])
