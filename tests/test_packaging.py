"""The pip packages of setup/ contain each addon whole, with the right requirements."""

import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SIBLINGS = {
    "lot_traceability": set(),
    "lot_fefo": {"lot_traceability"},
    "lot_recall": {"lot_traceability", "lot_fefo"},
    "lot_account": {"lot_recall"},
}


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    """Build the wheels the way pip does when installing ./setup/<addon>."""
    out = tmp_path_factory.mktemp("wheels")
    for addon in SIBLINGS:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "--wheel-dir",
                str(out),
                str(ROOT / "setup" / addon),
            ],
            check=True,
            cwd=ROOT,
        )
    return {addon: next(out.glob(f"odoo_addon_{addon}-*.whl")) for addon in SIBLINGS}


@pytest.mark.parametrize("addon", sorted(SIBLINGS))
def test_wheel_holds_the_addon_and_requires_odoo_18_and_its_siblings(wheels, addon):
    with zipfile.ZipFile(wheels[addon]) as wheel:
        names = set(wheel.namelist())
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(wheel.read(metadata_name).decode())
    tracked = subprocess.run(
        ["git", "ls-files", addon], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    assert f"odoo/addons/{addon}/__manifest__.py" in names
    assert {f"odoo/addons/{path}" for path in tracked} <= names
    assert metadata["Version"].startswith("18.0.")
    requires = metadata.get_all("Requires-Dist")
    assert "odoo<18.1dev,>=18.0a" in requires
    siblings = {r.split(" @ ")[0] for r in requires if " @ file://" in r}
    assert siblings == {f"odoo-addon-{name.replace('_', '-')}" for name in SIBLINGS[addon]}
