"""pip packaging of one addon of the suite, with setuptools-odoo (OCA layout).

The addon packaged is the one named like this directory; it is reached
through the ``odoo/addons/<addon>`` symlink next to this file. This file is
identical for every addon of the suite.
"""

import os
import pathlib

import setuptools

HERE = os.path.dirname(os.path.abspath(__file__))
ADDON = os.path.basename(HERE)
SETUP_ROOT = os.path.dirname(HERE)
ODOO_SERIES = "18.0"


def _register_odoo_series():
    """Teach setuptools-odoo (which stops at 16.0) about Odoo 18.0.

    Core addons ship inside the ``odoo`` distribution; their list comes from
    manifestoo-core, so only ``odoo`` itself is required for them.
    """
    from manifestoo_core.core_addons import get_core_addons
    from manifestoo_core.odoo_series import OdooSeries
    from setuptools_odoo import core

    if ODOO_SERIES in core.ODOO_VERSION_INFO:
        return
    info = dict(core.ODOO_VERSION_INFO["16.0"])
    info.update(
        odoo_dep="odoo>=18.0a,<18.1dev",
        base_addons=set(get_core_addons(OdooSeries(ODOO_SERIES))),
        pkg_version_specifier=">=18.0dev,<18.1dev",
        python_requires=">=3.10",
    )
    core.ODOO_VERSION_INFO[ODOO_SERIES] = info


def _sibling_overrides():
    """Point dependencies on sibling addons at their local setup directories.

    The sibling addons are not on any package index, so they are required
    through PEP 508 direct references to ``setup/<sibling>``.
    """
    overrides = {}
    for name in sorted(os.listdir(SETUP_ROOT)):
        path = os.path.join(SETUP_ROOT, name)
        if name == ADDON or not os.path.isfile(os.path.join(path, "setup.py")):
            continue
        overrides[name] = f"odoo-addon-{name} @ {pathlib.Path(path).as_uri()}"
    return overrides


_register_odoo_series()

setuptools.setup(
    setup_requires=["setuptools-odoo"],
    odoo_addon={
        "depends_override": _sibling_overrides(),
        "odoo_version_override": ODOO_SERIES,
    },
)
