"""No Docker engine runs here, so the compose file is checked against the compose spec."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_docker_compose_file_matches_the_compose_specification():
    exe = shutil.which("check-jsonschema") or str(
        Path(sys.executable).with_name("check-jsonschema")
    )
    result = subprocess.run(
        [exe, "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_has_the_five_services_and_one_shared_django_definition():
    text = (ROOT / "docker-compose.yml").read_text()
    compose = yaml.safe_load(text)
    assert set(compose["services"]) == {"db", "redis", "web", "worker", "beat"}
    assert compose["services"]["db"]["image"] == "postgres:15"
    assert "healthcheck" in compose["services"]["db"]
    assert "pgdata" in compose["volumes"]
    # web, worker and beat share one definition (the x-django anchor), differing by command.
    assert text.count("<<: *django") == 3
    images = {compose["services"][s]["image"] for s in ("web", "worker", "beat")}
    assert images == {"priorauth:latest"}
