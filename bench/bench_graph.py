#!/usr/bin/env python3
"""Time the genealogy graph of a lot in headless Chromium: from opening it to every node drawn.

Serves the database with Odoo on a free port (or uses ``--url``), logs in, opens the web
client, then for each run opens the graph client action of the lot (downstream by
default), waits until the first view is drawn, clicks *Expand All* and waits until every
node and edge is drawn. ``render_ms`` is the median over ``--repeat`` runs (after one
warm-up run) of the time from opening the graph to the whole graph drawn: the graph data
call, the layout and the SVG. The lot is ``--lot``, else the recall lot stored by
``bench/trace_data.py`` (``lot_bench``), else the lot with the largest downstream graph.
The last line printed is ``BENCH graph lot=<name> nodes=<n> edges=<e> render_ms=<t>``.
"""

import argparse
import json
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from headless_odoo import Browser, Client, OdooServer  # noqa: E402

MARKER = "lot_bench.trace_data"
# Largest graph among at most this many lots, when no lot is given nor stored.
SEARCHED_LOTS = 300

RUN_JS = """
(async (lotId, direction) => {
    const env = odoo.__WOWL_DEBUG__.root.env;
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
    const waitFor = async (check) => {
        while (!check()) {
            await frame();
        }
    };
    const graphSvg = () =>
        [...document.querySelectorAll(".o_lot_graph_svg[data-nodes]")].find(
            (svg) => !svg.benchDone
        );
    for (const old of document.querySelectorAll(".o_lot_graph_svg")) {
        old.benchDone = true;
    }
    const start = performance.now();
    env.services.action.doAction(
        {
            type: "ir.actions.client",
            tag: "lot_traceability.genealogy_graph",
            name: "Graph",
            params: { lot_ids: [lotId], direction },
        },
        { clearBreadcrumbs: true }
    );
    await waitFor(graphSvg);
    await frame();
    const firstMs = performance.now() - start;
    const svg = graphSvg();
    const shown = Number(svg.dataset.nodes);
    delete svg.dataset.nodes;
    document.querySelector(".o_lot_graph button[name='expand_all']").click();
    await waitFor(() => svg.dataset.nodes && !document.querySelector(".o_lot_graph_hidden"));
    await frame();
    return {
        firstMs,
        fullMs: performance.now() - start,
        shown,
        nodes: Number(svg.dataset.nodes),
        edges: Number(svg.dataset.edges),
    };
})(%(lot_id)s, %(direction)s)
"""


def log(message=""):
    print(message, flush=True)


def choose_lot(client, name, direction):
    """(id, name) of the lot to draw."""
    if not name:
        marker = client.call("ir.config_parameter", "get_param", MARKER)
        if marker:
            name = json.loads(marker)["recall_lot"]["name"]
            log(f"recall lot stored by trace_data.py: {name}")
    if name:
        lots = client.call("stock.lot", "search_read", [("name", "=", name)], ["name"], limit=2)
        if not lots:
            sys.exit(f"bench: no lot named {name}")
        if len(lots) > 1:
            log(f"several lots named {name}: the first one is drawn")
        return lots[0]["id"], lots[0]["name"]
    best = None
    for lot in client.call("stock.lot", "search_read", [], ["name"], limit=SEARCHED_LOTS):
        size = len(client.call("lot.trace", "graph_data", [lot["id"]], direction)["nodes"])
        if not best or size > best[0]:
            best = (size, lot["id"], lot["name"])
    if not best:
        sys.exit("bench: the database has no lot")
    log(f"largest {direction} graph: {best[2]} ({best[0]} nodes)")
    return best[1], best[2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-c", "--config", default=os.path.join(ROOT, ".local", "odoo.conf"))
    parser.add_argument("-d", "--database", default="lot_bench")
    parser.add_argument("--url", help="an Odoo already serving the database")
    parser.add_argument("--lot", help="lot name (default: stored recall lot, else largest)")
    parser.add_argument("--direction", choices=("downstream", "upstream"), default="downstream")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    args = parser.parse_args()

    with OdooServer(args.config, args.database, args.url) as server:
        client = Client(server, server.login(args.login, args.password))
        lot_id, lot_name = choose_lot(client, args.lot, args.direction)
        started = time.perf_counter()
        data = client.call("lot.trace", "graph_data", [lot_id], args.direction)
        log(
            f"graph data of {lot_name}: {len(data['nodes'])} nodes, {len(data['edges'])} "
            f"edges, customers grouped: {data['grouped']}, "
            f"{(time.perf_counter() - started) * 1000:.0f} ms over JSON-RPC"
        )
        with Browser(width=1600, height=1000) as browser:
            browser.set_session(server.url, client.session_id)
            # a window action first: the web client is then done with its home action
            browser.goto(f"{server.url}/odoo/action-stock.action_production_lot_form")
            browser.wait_for_webclient(action=True)
            script = RUN_JS % {"lot_id": lot_id, "direction": json.dumps(args.direction)}
            runs = []
            for index in range(args.repeat + 1):
                run = browser.evaluate(script)
                label = "warm-up" if index == 0 else f"run {index}"
                log(
                    f"{label}: first view {run['firstMs']:.0f} ms ({run['shown']} nodes), "
                    f"whole graph {run['fullMs']:.0f} ms ({run['nodes']} nodes, "
                    f"{run['edges']} edges)"
                )
                if index:
                    runs.append(run)
    render_ms = statistics.median(run["fullMs"] for run in runs)
    log(
        f"BENCH graph lot={lot_name} nodes={runs[-1]['nodes']} edges={runs[-1]['edges']} "
        f"render_ms={render_ms:.0f}"
    )


if __name__ == "__main__":
    main()
