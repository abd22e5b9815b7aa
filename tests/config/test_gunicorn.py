"""gunicorn's settings file (gunicorn.conf.py), as production and the benchmark load it."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# In a fresh interpreter, as a new worker is: Django set up, the URLconf not yet loaded.
PROBE = """
import json, runpy, sys
import django
django.setup()
from django.urls import get_resolver
before = {"views": "reviews.views.cases" in sys.modules, "api": "reviews.api.views" in sys.modules}
config = runpy.run_path("gunicorn.conf.py")
config["post_worker_init"](None)
after = {"views": "reviews.views.cases" in sys.modules, "api": "reviews.api.views" in sys.modules,
         "reverse": get_resolver()._populated}
print(json.dumps({"before": before, "after": after, "workers": config["workers"]}))
"""


def test_a_new_worker_loads_every_view_before_its_first_request():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "priorauth.settings", "PATH": "/usr/bin:/bin"},
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["before"] == {"views": False, "api": False}
    assert seen["after"] == {"views": True, "api": True, "reverse": True}
    assert seen["workers"] >= 3  # two per core plus one
