"""The suite's layout (lot_traceability readme, DEVELOP.md): a model's behaviour in the file
named after it, each rule defined once, demo code out of the production models."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ("lot_traceability", "lot_recall", "lot_account")


def _models_of(path):
    """Names of the models a Python file defines or extends (``_name``, else ``_inherit``)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ClassDef):
            continue
        values = {
            target.id: statement.value
            for statement in node.body
            if isinstance(statement, ast.Assign)
            for target in statement.targets
            if isinstance(target, ast.Name)
        }
        value = values.get("_name") or values.get("_inherit")
        if isinstance(value, ast.Constant):
            names.add(value.value)
    return names


@pytest.mark.parametrize("addon", ADDONS)
def test_models_hold_one_file_per_model_named_after_it(addon):
    files = {}
    for path in sorted((ROOT / addon / "models").glob("*.py")):
        if path.name == "__init__.py":
            continue
        models = _models_of(path)
        assert len(models) == 1, f"{path.relative_to(ROOT)} holds {sorted(models)}"
        model = models.pop()
        assert path.stem == model.replace(".", "_"), f"{model} in {path.relative_to(ROOT)}"
        files.setdefault(model, []).append(path.name)
    assert {model: names for model, names in files.items() if len(names) > 1} == {}


@pytest.mark.parametrize("addon", ("lot_traceability", "lot_account"))
def test_demo_flows_live_in_the_demo_package(addon):
    assert not (ROOT / addon / "models" / "demo_scenario.py").exists()
    assert (ROOT / addon / "demo" / "demo_scenario.py").exists()
    assert "from . import demo" in (ROOT / addon / "__init__.py").read_text()


@pytest.mark.parametrize("addon", ADDONS)
def test_wizard_views_sit_beside_their_wizards(addon):
    wizards = {
        model
        for path in (ROOT / addon / "wizards").glob("*.py")
        if path.name != "__init__.py"
        for model in _models_of(path)
    }
    for path in (ROOT / addon / "views").glob("*.xml"):
        models = set(re.findall(r'<field name="model">([^<]+)</field>', path.read_text()))
        assert not models & wizards, f"{path.relative_to(ROOT)} has views of {models & wizards}"


def _places(text):
    return [
        str(path.relative_to(ROOT))
        for addon in ADDONS
        for path in (ROOT / addon).rglob("*.py")
        if text in path.read_text()
    ]


@pytest.mark.parametrize(
    "definition",
    [
        "(3 if i % 2 == 0 else 1)",  # the GS1 mod-10 check digit
        "def gln_or_none(",
        "SELECT * FROM unnest(",  # bulk inserts
    ],
)
def test_each_rule_is_defined_once(definition):
    assert len(_places(definition)) == 1, _places(definition)


def test_rows_as_dicts_come_from_core():
    assert _places("for column in self.env.cr.description") == []
    assert _places("for column in cr.description") == []
