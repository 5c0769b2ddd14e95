#!/usr/bin/env python3
"""Time full lot traces: the suite's genealogy engine against Odoo's traceability report.

Reads the 20 raw lots ``bench/trace_data.py`` stored in ``lot_bench.trace_data`` and, for
each lot, traces it downstream and upstream with ``env["lot.genealogy"].trace`` (40 traces;
per trace the median of ``--repeat`` runs, ORM cache emptied before each run). Memory is
measured in a separate pass with ``tracemalloc`` (peak of Python allocations during one
trace, so tracing overhead does not weigh on the timings).

The same traces then go through core's ``stock.traceability.report`` as the web client
drives it:

* upstream: the lot's report (``get_main_lines`` with ``active_id``/``model`` =
  ``stock.lot``), then every unfoldable line unfolded, recursively (``get_lines`` with
  ``line_id``, ``model_id``, ``model_name`` and ``level``, as ``toggleLine`` does);
* downstream: core has no downstream unfolding; a user opens the lot's report, clicks
  the *Traceability Report* button of every line consumed by a manufacturing order
  (``get_main_lines`` on that ``stock.move.line`` with ``lot_name``, listing the lines
  it was used in), then opens the report of every lot made that way, and so on.

Core runs once per trace, smallest downstream first, each capped at ``--core-cap``
seconds; after two traces over the cap in one direction the larger lots are skipped.
``core_ratio`` is, over the lots whose both traces core finished, the median of core time /
engine time for the lot (downstream + upstream); per-direction medians are printed too.
The last line printed is ``BENCH trace lines=<N> p50_ms=<x> p95_ms=<y> core_ratio=<r>``.
"""

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = "lot_bench.trace_data"
DIRECTIONS = ("downstream", "upstream")


def log(msg=""):
    print(msg, flush=True)


def percentile(values, pct):
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * pct / 100.0
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarize(result):
    """Sizes of an engine result: lots reached, movements, delivery lines and pickings."""
    lots = result.get("lots") or ()
    movements = result.get("movements") or ()
    deliveries = [m for m in movements if m.get("kind") == "delivery"]
    return {
        "lots": len(lots),
        "movements": len(movements),
        "delivery_lines": len(deliveries),
        "deliveries": len({m.get("picking_id") for m in deliveries}),
    }


class Timeout(Exception):
    pass


class CoreReport:
    """Odoo's traceability report, driven like the web client does."""

    def __init__(self, env, cap):
        self.report = env["stock.traceability.report"]
        self.env, self.cap = env, cap

    def _check(self, deadline):
        if time.perf_counter() > deadline:
            raise Timeout

    def _main_lines(self, context):
        ui_context = {"auto_unfold": False, "lot_name": False, "ttype": False, "lang": False}
        ui_context.update(context)
        return self.report.get_main_lines(ui_context)

    def upstream(self, lot_id):
        deadline = time.perf_counter() + self.cap
        lines = self._main_lines({"active_id": lot_id, "model": "stock.lot"})
        shown = len(lines)
        lots = {line["lot_id"] for line in lines}
        todo = [line for line in lines if line["unfoldable"]]
        while todo:
            self._check(deadline)
            line = todo.pop()
            children = self.report.get_lines(
                line["id"],
                model_id=line["model_id"],
                model_name=line["model"],
                level=line["level"] + 30,
            )
            shown += len(children)
            lots.update(child["lot_id"] for child in children)
            todo.extend(child for child in children if child["unfoldable"])
        return {"report_lines": shown, "lots": len(lots - {False})}

    def downstream(self, lot_id):
        deadline = time.perf_counter() + self.cap
        seen, todo, shown = {lot_id}, [lot_id], 0
        pickings = set()
        while todo:
            self._check(deadline)
            lines = self._main_lines({"active_id": todo.pop(), "model": "stock.lot"})
            shown += len(lines)
            for line in lines:
                if line["usage"] == "out" and line["res_model"] == "stock.picking":
                    pickings.add(line["res_id"])
                if not line["is_used"]:
                    continue
                self._check(deadline)
                used_in = self._main_lines(
                    {
                        "active_id": line["model_id"],
                        "model": "stock.move.line",
                        "lot_name": line["lot_name"],
                        "auto_unfold": True,
                    }
                )
                shown += len(used_in)
                for made in used_in:
                    if made["lot_id"] and made["lot_id"] not in seen:
                        seen.add(made["lot_id"])
                        todo.append(made["lot_id"])
        return {"report_lines": shown, "lots": len(seen), "out_pickings": len(pickings)}


def load_core_times(path, database, n_lines):
    """Core times saved by an earlier run on the same data, else None."""
    if not path or not os.path.exists(path):
        return None
    with open(path) as file:
        saved = json.load(file)
    if (saved.get("database"), saved.get("lines")) != (database, n_lines):
        raise SystemExit(f"bench_trace: {path} holds core times of other data, remove it")
    return saved["seconds"]


def save_core_times(path, database, n_lines, core):
    """Write core's time per trace (None when over the cap or skipped) for later runs."""
    seconds = {f"{lot_id} {direction}": value for (lot_id, direction), value in core.items()}
    with open(path, "w") as file:
        json.dump({"database": database, "lines": n_lines, "seconds": seconds}, file, indent=1)
    log(f"core times written to {path}")


def run_engine(env, lot_id, direction):
    env.invalidate_all()
    started = time.perf_counter()
    result = env["lot.genealogy"].trace([lot_id], direction)
    return time.perf_counter() - started, result


def extra_upstream(env, lots, args, with_core):
    """Informational: upstream traces of repack lots (three levels of production)."""
    log("")
    log(f"extra, not in the BENCH line: upstream of {len(lots)} repack lots")
    report = CoreReport(env, args.core_cap)
    ours, ratios = [], []
    for lot in sorted(lots, key=lambda lot: (lot["upstream_lots"], lot["id"])):
        runs = []
        for _ in range(max(1, args.repeat)):
            elapsed, result = run_engine(env, lot["id"], "upstream")
            runs.append(elapsed)
        engine = statistics.median(runs)
        ours.append(engine * 1000)
        reached = len(result.get("lots") or ()) - 1
        line = f"  {lot['name']:<12} {lot['upstream_lots']:>4} lots: engine {engine * 1000:7.1f} ms"
        line += f" ({reached} lots)"
        if with_core:
            env.invalidate_all()
            started = time.perf_counter()
            try:
                info = report.upstream(lot["id"])
            except Timeout:
                line += f", core over {args.core_cap:.0f} s"
            else:
                elapsed = time.perf_counter() - started
                ratios.append(elapsed / engine)
                line += (
                    f", core {elapsed:6.2f} s ({info['report_lines']} report lines, "
                    f"{info['lots'] - 1} lots), ratio {ratios[-1]:.0f}"
                )
        log(line)
    log(
        f"engine upstream of repack lots: p50 {percentile(ours, 50):.1f} ms, "
        f"p95 {percentile(ours, 95):.1f} ms"
        + (
            f"; core/engine median ratio {statistics.median(ratios):.1f} over {len(ratios)} lots"
            if ratios
            else ""
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", default=os.path.join(ROOT, ".local", "odoo.conf"))
    parser.add_argument("-d", "--database", default="lot_bench")
    parser.add_argument("--repeat", type=int, default=3, help="engine runs per trace")
    parser.add_argument("--core-cap", type=float, default=120.0, help="seconds per core trace")
    parser.add_argument("--core-budget", type=float, default=1800.0, help="seconds for core")
    parser.add_argument("--no-core", action="store_true", help="skip Odoo's report")
    parser.add_argument(
        "--core-times",
        metavar="FILE",
        help="reuse core's times per trace from FILE when it exists (same database and "
        "lines), else time core and write them there",
    )
    parser.add_argument("--uid", type=int, default=2, help="user running the traces (admin)")
    args = parser.parse_args()

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, args.uid, {})
        marker = env["ir.config_parameter"].sudo().get_param(MARKER)
        if not marker:
            raise SystemExit(f"bench_trace: no data in {args.database}, run bench/trace_data.py")
        data = json.loads(marker)
        if "lot.genealogy" not in env or not hasattr(env["lot.genealogy"], "trace"):
            raise SystemExit("bench_trace: lot.genealogy.trace is not available")
        cr.execute("SELECT count(*) FROM stock_move_line WHERE state = 'done'")
        n_lines = cr.fetchone()[0]
        lots = data["lots"]
        log(
            f"bench_trace: {args.database}, {n_lines} done move lines, {len(lots)} raw lots "
            f"x {len(DIRECTIONS)} directions, engine runs per trace: {args.repeat}"
        )
        recall = data["recall_lot"]
        log(
            f"recall lot: id={recall['id']} {recall['name']}, {recall['deliveries']} deliveries "
            f"to {recall['customers']} customers"
        )

        # 1. Engine timings.
        smallest = min(lots, key=lambda lot: lot["delivery_lines"])
        for direction in DIRECTIONS:  # warm-up: code paths, query plans
            run_engine(env, smallest["id"], direction)
        ours, sizes = {}, {}
        for lot in lots:
            for direction in DIRECTIONS:
                runs = []
                for _ in range(max(1, args.repeat)):
                    elapsed, result = run_engine(env, lot["id"], direction)
                    runs.append(elapsed)
                ours[lot["id"], direction] = statistics.median(runs)
                sizes[lot["id"], direction] = summarize(result)
                del result
        times_ms = [t * 1000 for t in ours.values()]
        p50, p95 = percentile(times_ms, 50), percentile(times_ms, 95)

        # 2. Engine memory, separate pass.
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peaks = {}
        gc.collect()
        tracemalloc.start()
        for lot in lots:
            for direction in DIRECTIONS:
                env.invalidate_all()
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
                result = env["lot.genealogy"].trace([lot["id"]], direction)
                peaks[lot["id"], direction] = tracemalloc.get_traced_memory()[1] - base
                del result
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        mib = 1024 * 1024
        log("")
        log("engine (lot.genealogy.trace), per trace: median of runs, ms; tracemalloc peak, MiB")
        log(
            f"{'lot':<12} {'expected':>9} {'down ms':>9} {'lots':>6} {'moves':>7} {'deliv':>6} "
            f"{'MiB':>6} {'up ms':>8} {'lots':>5} {'MiB':>5}"
        )
        mismatches = 0
        for lot in lots:
            down, up = sizes[lot["id"], "downstream"], sizes[lot["id"], "upstream"]
            if down["deliveries"] != lot["deliveries"]:
                mismatches += 1
            log(
                f"{lot['name']:<12} {lot['deliveries']:>9} "
                f"{ours[lot['id'], 'downstream'] * 1000:>9.1f} {down['lots']:>6} "
                f"{down['movements']:>7} {down['deliveries']:>6} "
                f"{peaks[lot['id'], 'downstream'] / mib:>6.1f} "
                f"{ours[lot['id'], 'upstream'] * 1000:>8.1f} {up['lots']:>5} "
                f"{peaks[lot['id'], 'upstream'] / mib:>5.1f}"
            )
        if mismatches:
            log(f"WARNING: {mismatches} downstream traces do not reach the generated deliveries")
        for direction in DIRECTIONS:
            values = [ours[lot["id"], direction] * 1000 for lot in lots]
            log(
                f"engine {direction:<10}: p50 {percentile(values, 50):.1f} ms, "
                f"p95 {percentile(values, 95):.1f} ms, max {max(values):.1f} ms"
            )
        log(f"engine all 40 traces: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
        log(
            f"engine memory: tracemalloc peak per trace p50 "
            f"{percentile(list(peaks.values()), 50) / mib:.1f} MiB, max "
            f"{max(peaks.values()) / mib:.1f} MiB; process maxrss {rss_after / 1024:.0f} MiB "
            f"(+{(rss_after - rss_before) / 1024:.0f} MiB during the memory pass)"
        )

        # 3. Core report on the same traces, smallest downstream first.
        ratios, core, lot_ratios = {}, {}, []
        saved = load_core_times(args.core_times, args.database, n_lines)
        if not args.no_core:
            log("")
            log(
                f"core stock.traceability.report, fully unfolded, cap {args.core_cap:.0f} s per "
                f"trace, budget {args.core_budget:.0f} s"
                + (f"; times read from {args.core_times}" if saved else "")
            )
            report = CoreReport(env, args.core_cap)
            budget_end = time.perf_counter() + args.core_budget
            over_cap = dict.fromkeys(DIRECTIONS, 0)
            for lot in sorted(lots, key=lambda lot: (lot["delivery_lines"], lot["id"])):
                for direction in DIRECTIONS:
                    key = lot["id"], direction
                    if saved:
                        core[key] = saved.get(f"{lot['id']} {direction}")
                        if core[key] is None:
                            log(f"  {lot['name']:<12} {direction:<10} not finished by core")
                            continue
                        ratios[key] = core[key] / ours[key]
                        log(
                            f"  {lot['name']:<12} {direction:<10} {core[key]:8.2f} s (saved); "
                            f"engine {ours[key] * 1000:.1f} ms, ratio {ratios[key]:.0f}"
                        )
                        continue
                    if over_cap[direction] >= 2 or time.perf_counter() > budget_end:
                        core[key] = None
                        log(f"  {lot['name']:<12} {direction:<10} skipped")
                        continue
                    env.invalidate_all()
                    started = time.perf_counter()
                    try:
                        info = getattr(report, direction)(lot["id"])
                    except Timeout:
                        over_cap[direction] += 1
                        core[key] = None
                        log(f"  {lot['name']:<12} {direction:<10} over {args.core_cap:.0f} s")
                        continue
                    elapsed = time.perf_counter() - started
                    core[key] = elapsed
                    ratios[key] = elapsed / ours[key]
                    extra = f", {info['lots'] - 1} lots (engine {sizes[key]['lots'] - 1})"
                    if direction == "downstream":
                        extra = (
                            f", {info['lots'] - 1} lots (engine {sizes[key]['lots'] - 1}), "
                            f"{info['out_pickings']} deliveries"
                        )
                    log(
                        f"  {lot['name']:<12} {direction:<10} {elapsed:8.2f} s, "
                        f"{info['report_lines']} report lines{extra}; engine "
                        f"{ours[key] * 1000:.1f} ms, ratio {ratios[key]:.0f}"
                    )
            if args.core_times and not saved:
                save_core_times(args.core_times, args.database, n_lines, core)
            finished = len(ratios)
            log(f"core finished {finished}/{len(core)} traces within {args.core_cap:.0f} s")
            for lot in lots:
                keys = [(lot["id"], direction) for direction in DIRECTIONS]
                if all(core.get(key) is not None for key in keys):
                    lot_ratios.append(sum(core[k] for k in keys) / sum(ours[k] for k in keys))
            if lot_ratios:
                log(
                    f"core/engine per lot (both directions): median ratio "
                    f"{statistics.median(lot_ratios):.1f} over {len(lot_ratios)} lots, "
                    f"min {min(lot_ratios):.1f}, max {max(lot_ratios):.1f}"
                )
            for direction in DIRECTIONS:
                values = [r for (lot, d), r in ratios.items() if d == direction]
                if values:
                    log(
                        f"core/engine {direction:<10}: median ratio {statistics.median(values):.0f}"
                        f" over {len(values)} traces"
                    )
        if data.get("upstream_lots"):
            extra_upstream(env, data["upstream_lots"], args, not args.no_core and not saved)
        cr.rollback()
    core_ratio = f"{statistics.median(lot_ratios):.1f}" if lot_ratios else "n/a"
    log(f"BENCH trace lines={n_lines} p50_ms={p50:.1f} p95_ms={p95:.1f} core_ratio={core_ratio}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
