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

Nothing is kept: the transaction is rolled back at the end (the file stays). Then, in a
copy of the database made for it (``<database>_recall_actions``, dropped at the end):

* ``actions_s``: a real recall of the same lot, scoped and committed, then *Block Stock*,
  *Notify Customers* and *Create Returns* for every customer, each button followed by the
  cron *Recall: background jobs* run as a cron worker runs it (``ir.cron._run_job`` on
  the job, which calls ``lot.recall._cron_run_jobs`` with a progress record and commits)
  until its job is done. The generated customers are given an email address in the copy;
  their notices are queued as mails, never sent (``--no-actions`` skips this).

One run, in a fresh process, as a user would run it. ``--profile`` prints cProfile's top
functions of the scope and the FSMA steps. The last line printed is
``BENCH recall deliveries=<n> scope_s=<x> fsma_s=<y> actions_s=<z>``.
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
    parser.add_argument("--no-actions", action="store_true", help="skip block/notify/returns")
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
    actions = "" if args.no_actions else f" actions_s={run_actions(args, chosen):.1f}"
    log(f"BENCH recall deliveries={deliveries} scope_s={scope_s:.2f} fsma_s={fsma_s:.2f}{actions}")
    return 0


def run_actions(args, chosen):
    """Seconds of Block Stock + Notify Customers + Create Returns of a real recall of the
    lot, in a copy of the database, each button then the cron worker until its job is
    done."""
    import odoo
    from odoo import Command
    from odoo.modules.registry import Registry
    from odoo.tools import SQL

    copy = f"{args.database}_recall_actions"
    odoo.sql_db.close_db(args.database)
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(copy)))
        cr.execute(
            SQL(
                "CREATE DATABASE %s TEMPLATE %s",
                SQL.identifier(copy),
                SQL.identifier(args.database),
            )
        )
    try:
        registry = Registry(copy)
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, args.uid, {})
            env.ref("lot_recall.group_recall_manager").sudo().write(
                {"users": [Command.link(env.uid)]}
            )
            recall = env["lot.recall"].create(
                {
                    "kind": "recall",
                    "scope_type": "lots",
                    "scope_lot_ids": [Command.set([chosen["id"]])],
                    "reason": "bench_recall: recall of the benchmark's recall lot",
                }
            )
            recall.action_compute_scope()
            # The generated customers have no email address: give them one (in this copy)
            # so that each is sent its notice, queued as a mail.
            cr.execute(
                "UPDATE res_partner SET email = 'customer-' || id || '@example.com' "
                "WHERE id = ANY(%s) AND COALESCE(email, '') = ''",
                [recall.customer_ids.partner_id.ids],
            )
            env.invalidate_all()
            cron = env.ref("lot_recall.ir_cron_recall_jobs")
            cr.execute("SELECT COUNT(*) FROM mail_mail WHERE state = 'outgoing'")
            outgoing = cr.fetchone()[0]
            cr.commit()
            total = cpu = 0.0
            for job, button in (
                ("block", "action_block_stock"),
                ("notify", "action_notify_customers"),
                ("returns", "action_create_returns"),
            ):
                started, started_cpu = time.perf_counter(), time.process_time()
                getattr(recall, button)()
                cr.commit()
                answered = time.perf_counter() - started
                runs = 0
                while env["lot.recall"]._queued_work():
                    cron_job = run_cron(env, cron)
                    runs += 1
                    if cron_job == "failed":
                        raise SystemExit(f"bench_recall: the cron failed on {job}")
                elapsed = time.perf_counter() - started
                elapsed_cpu = time.process_time() - started_cpu
                total += elapsed
                cpu += elapsed_cpu
                recall.invalidate_recordset()
                log(
                    f"{job}: {elapsed:.1f} s (Odoo process CPU {elapsed_cpu:.1f} s, button "
                    f"{answered:.2f} s, {runs} cron runs), "
                    f"{recall[job + '_progress']} {recall[job + '_job_state']}"
                )
            cr.execute("SELECT COUNT(*) FROM mail_mail WHERE state = 'outgoing'")
            queued_mails = cr.fetchone()[0] - outgoing
            log(
                f"actions: {total:.1f} s (Odoo process CPU {cpu:.1f} s); "
                f"{len(recall.return_picking_ids)} return transfers "
                f"({len(recall.return_picking_ids.move_ids)} moves), {queued_mails} mails queued "
                "(not sent)"
            )
        return total
    finally:
        odoo.sql_db.close_db(copy)
        with odoo.sql_db.db_connect("postgres").cursor() as cr:
            cr._cnx.autocommit = True
            cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(copy)))


def run_cron(env, cron):
    """Run the cron as a cron worker does (``ir.cron._run_job``: its server action up to
    ten times, each in a committed transaction with its progress); its status."""
    env.cr.execute("SELECT * FROM ir_cron WHERE id = %s", [cron.id])
    columns = [column.name for column in env.cr.description]
    job = dict(zip(columns, env.cr.fetchone(), strict=True))
    job.update(timed_out_counter=0, done=0, remaining=0)
    env.cr.commit()
    status = type(env["ir.cron"])._run_job(job)
    env.invalidate_all()
    return status


if __name__ == "__main__":
    sys.exit(main())
