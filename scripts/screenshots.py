#!/usr/bin/env python3
"""Screenshots of the demo for the README, taken in headless Chromium.

    .venv/bin/python scripts/screenshots.py                  # database lot_demo (make demo)
    .venv/bin/python scripts/screenshots.py -d h1db --page graph=graph:FG-CAK-001

Serves the database on a free port (or uses ``--url``), logs in as ``--login`` and saves
one PNG per page in ``docs/screenshots/`` (``--out``). A page is ``name=spec``; ``spec``
is one of

* ``graph:<lot>``: the lot's form, then its *Graph* button (the genealogy graph);
* ``lot:<lot>``: the lot's form;
* ``action:<xmlid>``: a window or client action, e.g. a dashboard;
* ``portal:<model>``: the customer page of the first record of ``model`` with an access
  token (its ``access_url`` and token), seen logged out as the customer sees it;
* ``/path``: any URL of the server.

A page whose lot, action or model does not exist is skipped with a message, so the same
list serves databases with fewer addons. ``--page`` replaces the default list.
"""

import argparse
import os
import sys
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from headless_odoo import Browser, Client, OdooServer  # noqa: E402

DEFAULT_PAGES = [
    "graph=graph:RM-FLR-001",
    "dashboard=action:lot_recall.action_lot_trace_dashboard",
    "lot_form=lot:FG-CAK-001",
    "response=portal:lot.recall.customer",
]
# Screenshots bigger than this are reported: the README's pictures stay small.
MAX_BYTES = 300 * 1024


class Skip(Exception):
    """The page does not exist in this database."""


class Shooter(Client):
    def __init__(self, server, browser, session_id):
        super().__init__(server, session_id)
        self.browser = browser

    def login_page(self):
        self.browser.send("Network.clearBrowserCookies")
        self.browser.set_session(self.server.url, self.session_id)

    def lot_id(self, name):
        lots = self.call("stock.lot", "search_read", [("name", "=", name)], ["id"], limit=1)
        if not lots:
            raise Skip(f"no lot {name}")
        return lots[0]["id"]

    def open_lot(self, name):
        self.login_page()
        self.browser.goto(
            f"{self.server.url}/odoo/action-stock.action_production_lot_form/{self.lot_id(name)}"
        )
        self.browser.wait_for_webclient(action=True)
        self.browser.wait_for("!!document.querySelector('.o_form_view .o_field_widget')")

    def shoot_lot(self, name):
        self.open_lot(name)

    def shoot_graph(self, name):
        self.open_lot(name)
        self.browser.evaluate("document.querySelector(\"button[name='action_lot_graph']\").click()")
        self.browser.wait_for("!!document.querySelector('.o_lot_graph_svg[data-nodes]')")

    def shoot_action(self, xmlid):
        module, name = xmlid.split(".", 1)
        if not self.call(
            "ir.model.data", "search_count", [("module", "=", module), ("name", "=", name)]
        ):
            raise Skip(f"no action {xmlid}")
        self.login_page()
        self.browser.goto(f"{self.server.url}/odoo/action-{xmlid}")
        self.browser.wait_for_webclient(action=True)

    def shoot_portal(self, model):
        if not self.call("ir.model", "search_count", [("model", "=", model)]):
            raise Skip(f"no model {model}")
        if "access_token" not in self.call(model, "fields_get", ["access_token"]):
            raise Skip(f"{model} has no access token")
        records = self.call(
            model,
            "search_read",
            [("access_token", "!=", False)],
            ["access_url", "access_token"],
            limit=1,
        )
        if not records:
            raise Skip(f"no {model} with an access token")
        record = records[0]
        query = urllib.parse.urlencode({"access_token": record["access_token"]})
        self.browser.send("Network.clearBrowserCookies")
        self.browser.goto(f"{self.server.url}{record['access_url']}?{query}")

    def shoot_path(self, path):
        self.login_page()
        self.browser.goto(f"{self.server.url}{path}")

    def shoot(self, spec):
        if spec.startswith("/"):
            return self.shoot_path(spec)
        kind, _sep, value = spec.partition(":")
        handler = getattr(self, f"shoot_{kind}", None)
        if not value or kind in ("path",) or not handler:
            raise SystemExit(f"screenshots: unknown page {spec!r}")
        return handler(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=os.path.join(ROOT, ".local", "odoo.conf"))
    parser.add_argument("-d", "--database", default="lot_demo")
    parser.add_argument("--url", help="an Odoo already serving the database")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "screenshots"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--page", action="append", help="name=spec (repeatable)")
    args = parser.parse_args()
    pages = [page.split("=", 1) for page in args.page or DEFAULT_PAGES]
    os.makedirs(args.out, exist_ok=True)
    with OdooServer(args.config, args.database, args.url) as server:
        session_id = server.login(args.login, args.password)
        with Browser(args.width, args.height) as browser:
            shooter = Shooter(server, browser, session_id)
            for name, spec in pages:
                try:
                    shooter.shoot(spec)
                except Skip as reason:
                    print(f"skipped {name}: {reason}", flush=True)
                    continue
                # let fonts, images and transitions settle
                browser.evaluate("new Promise((resolve) => setTimeout(resolve, 800))")
                path = os.path.join(args.out, f"{name}.png")
                size = browser.screenshot(path)
                warning = (
                    " (over 300 KB: use a smaller --width/--height)" if size > MAX_BYTES else ""
                )
                print(
                    f"saved {os.path.relpath(path, ROOT)}: {size // 1024} KB{warning}", flush=True
                )


if __name__ == "__main__":
    main()
