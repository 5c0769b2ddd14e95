#!/usr/bin/env python3
"""Time a mock recall on the benchmark data: scope, then the FDA FSMA 204 spreadsheet.

Reads the raw lots ``bench/trace_data.py`` stored in ``lot_bench.trace_data`` and takes the
"recall lot" (the one reaching the most customer deliveries; at least ``--min-deliveries``),
then, as the administrator made Recall Manager:

* creates a mock ``lot.recall`` with ``scope_type`` "lots" on that lot;
* ``scope_s``: ``action_compute_scope()`` (genealogy trace, affected lots, customers and
  delivery lines written) and the flush of everything it wrote;
* ``fsma_s``: ``lot.fsma.export._events(affected lots)`` and ``_xlsx(rows)`` written to a
  file (``--output``, default ``.local/bench-recall-fsma.xlsx``).

Nothing is kept: the transaction is rolled back at the end (the file stays). One run, in
a fresh process, as a user would run it. ``--profile`` prints cProfile's top functions of
both steps. The last line printed is
``BENCH recall deliveries=<n> scope_s=<x> fsma_s=<y>``.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = "lot_bench.trace_data"


def log(msg=""):
    print(msg, flush=True)


def profiled(enabled, func):
    """(result, seconds, CPU seconds of this process, profile text) of ``func()``; the text
    is empty unless enabled. The CPU time leaves out PostgreSQL's work and the time spent
    waiting for a CPU on a busy machine."""
    profile = cProfile.Profile() if enabled else None
    cpu = time.process_time()
    started = time.perf_counter()
    if profile:
        profile.enable()
    result = func()
    if profile:
        profile.disable()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu
    text = ""
    if profile:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(25)
        text = out.getvalue()
    return result, elapsed, cpu, text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", default=os.path.join(ROOT, ".local", "odoo.conf"))
    parser.add_argument("-d", "--database", default="lot_bench")
    parser.add_argument("--uid", type=int, default=2, help="user running the recall (admin)")
    parser.add_argument("--min-deliveries", type=int, default=1000)
    parser.add_argument("--output", default=os.path.join(ROOT, ".local", "bench-recall-fsma.xlsx"))
    parser.add_argument("--profile", action="store_true", help="print cProfile top lines")
    args = parser.parse_args()

    import odoo
    from odoo import Command
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, args.uid, {})
        marker = env["ir.config_parameter"].sudo().get_param(MARKER)
        if not marker:
            raise SystemExit(f"bench_recall: no data in {args.database}, run bench/trace_data.py")
        for model in ("lot.recall", "lot.fsma.export"):
            if model not in env:
                raise SystemExit(f"bench_recall: {model} is missing, install lot_recall")
        data = json.loads(marker)
        candidates = [lot for lot in data["lots"] if lot["deliveries"] >= args.min_deliveries]
        if not candidates:
            raise SystemExit(
                f"bench_recall: no raw lot reaches {args.min_deliveries} deliveries "
                "(BENCH_LINES too small?)"
            )
        chosen = data["recall_lot"]
        if chosen["deliveries"] < args.min_deliveries:
            chosen = max(candidates, key=lambda lot: lot["deliveries"])
        cr.execute("SELECT count(*) FROM stock_move_line WHERE state = 'done'")
        n_lines = cr.fetchone()[0]
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        log(
            f"bench_recall: {args.database}, {n_lines} done move lines, load average {load}; "
            "recall lot "
            f"id={chosen['id']} {chosen['name']} ({chosen['product']}): expected "
            f"{chosen['downstream_lots']} downstream lots, {chosen['deliveries']} deliveries "
            f"({chosen['delivery_lines']} lines) to {chosen['customers']} customers"
        )

        # The administrator acts as a Recall Manager (rolled back with the rest).
        env.ref("lot_recall.group_recall_manager").sudo().write({"users": [Command.link(env.uid)]})
        env.flush_all()
        env.invalidate_all()
        recall = env["lot.recall"].create(
            {
                "kind": "mock",
                "scope_type": "lots",
                "scope_lot_ids": [Command.set([chosen["id"]])],
                "reason": "bench_recall: mock recall of the benchmark's recall lot",
            }
        )
        env.flush_all()

        def scope():
            recall.action_compute_scope()
            env.flush_all()

        _result, scope_s, scope_cpu, scope_profile = profiled(args.profile, scope)
        affected = recall.affected_lot_ids
        delivery_lines = recall.delivery_line_ids
        deliveries = len(delivery_lines.picking_id)
        log(
            f"scope: {scope_s:.2f} s (Odoo process CPU {scope_cpu:.2f} s), {len(affected)} "
            f"affected lots, {len(recall.customer_ids)} customers, {deliveries} deliveries "
            f"({len(delivery_lines)} lines)"
        )
        if deliveries != chosen["deliveries"]:
            log(f"WARNING: the scope has {deliveries} deliveries, the data {chosen['deliveries']}")

        fsma = env["lot.fsma.export"]
        timings = {}

        def export():
            started = time.perf_counter()
            rows = fsma._events(affected.ids)
            timings["events"] = time.perf_counter() - started
            content = fsma._xlsx(rows)
            timings["xlsx"] = time.perf_counter() - started - timings["events"]
            os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
            with open(args.output, "wb") as file:
                file.write(content)
            return rows, len(content)

        env.invalidate_all()
        (rows, size), fsma_s, fsma_cpu, fsma_profile = profiled(args.profile, export)
        counts = {}
        for row in rows:
            counts[row["cte"]] = counts.get(row["cte"], 0) + 1
        shipped = {row["move_line_id"] for row in rows if row["dst_usage"] == "customer"}
        log(
            f"fsma: {fsma_s:.2f} s (Odoo process CPU {fsma_cpu:.2f} s; {timings['events']:.2f} s "
            f"events, {timings['xlsx']:.2f} s xlsx), {len(rows)} rows ("
            + ", ".join(f"{count} {cte}" for cte, count in sorted(counts.items()))
            + f"), {size / 1024 / 1024:.1f} MiB written to {args.output}"
        )
        if shipped != set(delivery_lines.move_line_id.ids):
            log(
                f"WARNING: {len(shipped)} shipping rows to customers, "
                f"{len(delivery_lines)} delivery lines in the scope"
            )
        if args.profile:
            log("")
            log("cProfile, scope (action_compute_scope + flush):")
            log(scope_profile)
            log("cProfile, FSMA (_events + _xlsx + file):")
            log(fsma_profile)
        cr.rollback()
    log(f"BENCH recall deliveries={deliveries} scope_s={scope_s:.2f} fsma_s={fsma_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
