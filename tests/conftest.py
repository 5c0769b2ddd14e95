"""Cross-addon tests run by pytest-odoo against the database that `make test` prepares."""

import pytest

SUITE = ("lot_traceability", "lot_fefo", "lot_recall", "lot_account")


@pytest.fixture(scope="session", autouse=True)
def suite_installed(request):
    """Fail fast, with the command to run, when the database lacks one of the addons."""
    from odoo.modules.registry import Registry

    db_name = request.config.getoption("--odoo-database")
    with Registry(db_name).cursor() as cr:
        cr.execute(
            "SELECT name FROM ir_module_module WHERE name IN %s AND state = 'installed'", (SUITE,)
        )
        missing = set(SUITE) - {name for (name,) in cr.fetchall()}
    if missing:
        pytest.fail(
            f"database {db_name!r} lacks {', '.join(sorted(missing))}: run `make test`, "
            "which installs the four addons before running the tests"
        )
