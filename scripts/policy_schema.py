"""Write the policy format's JSON Schema to docs/policy-format.schema.json (run after changing
the models in reviews/engine/document.py; a test fails until the file matches them)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "docs" / "policy-format.schema.json"
sys.path.insert(0, str(ROOT))

from reviews.engine.document import json_schema  # noqa: E402


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE.relative_to(ROOT)}")
