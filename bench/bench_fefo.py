#!/usr/bin/env python3
"""Time the suite's FEFO removal strategies against FEFO, same data, one run.

The database (``lot_bench_fefo``, made by ``scripts/bench_fefo.sh``) gets, once, from
``--seed``: 10 FEFO product categories (two with a minimum remaining shelf life), 200
lot-tracked products with expiration dates (a quarter with their own rule), 100 lots
per product (25 expired weeks ago, most of them already set to Expired; 50 from 3 days
ago to the end of the product's shelf life, some blocked, in quarantine or restricted
to a customer; 25 dated after those), 22,000 quants over the stock location and four
shelves (every tenth lot in a package on a shelf), 300 customers (a third with a
shelf-life contract, a few asking for more than any lot has) and 1,000 confirmed
delivery orders of one or two lines. Master data and orders go through the ORM; lots,
packages and quants are written with SQL. ``lot_bench_fefo.data`` (system parameter)
marks a finished set.

Each timed reservation reserves orders with one ``action_assign`` inside a savepoint,
rolled back afterwards, with the ORM cache emptied before it, the 10 categories set to
one removal strategy:

* ``fefo``: core's *First Expiry First Out (FEFO)* record (``product_expiry``), with the
  suite's rules (status, expiry in the warehouse's time zone, minimum remaining shelf
  life, tie-break, unreserved reasons): the reference;
* ``fefo_fewest_lots``, ``fmfo``, ``fefo_package``: the suite's strategies, same rules.

After a warm-up of each strategy on 100 orders, ``--repeat`` (3) runs reserve the orders
in chunks of 100, every strategy in turn on each chunk (the first one rotating), the
chunk rolled back after each; a strategy's ratio is the median over the runs of its
total time / the FEFO total time of the same run (chunks measured side by side, so that
the load of a shared machine weighs on all alike). Queries are counted with
``cr.sql_log_count``; ``queries_per_move`` is the queries of a run divided by its moves.
Each strategy reserves the 100 warm-up orders again with all the lots and without the
expired lots (about 16,000 quants instead of 22,000; no strategy may take an expired lot,
so the reservations are the same): its query count must be equal. One line per strategy
``BENCH fefo strategy=<method> moves=<n> quants=<q> ratio_vs_core=<r>
queries_per_move=<k>``, then the last line, the worst of them:
``BENCH fefo moves=<n> quants=<q> ratio_vs_core=<worst> queries_per_move=<k>
strategies=<s>``.
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = "lot_bench_fefo.data"
TZ = "Europe/Brussels"
PRODUCTS = 200
LOTS_PER_PRODUCT = 100
OLD_LOTS = 25  # expired lots per product
LONG_LOTS = 25  # lots dated after every other one
WARM_UP_ORDERS = 100
CHUNK = 100  # orders reserved by each strategy in turn
CUSTOMERS = 300
ORDERS = 1000
CATEGORIES = 10
SHELVES = 4
LINES = (1, 1, 1, 2)  # lines per order, drawn at random
SECOND_QUANT_EVERY = 10  # every 10th lot also has stock on another shelf, in a package
REFERENCE = "fefo"
STRATEGIES = ("fefo_fewest_lots", "fmfo", "fefo_package")


def log(msg=""):
    print(msg, flush=True)


# ---------------------------------------------------------------------- data


def generate(env, seed):
    """Master data and orders with the ORM, lots and quants with SQL; returns the marker."""
    rng = random.Random(seed)
    cr = env.cr
    company = env.company
    now = datetime.now().replace(microsecond=0)
    company.partner_id.tz = TZ
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    # orders are confirmed without reserving: the benchmark reserves them
    warehouse.out_type_id.reservation_method = "manual"
    stock = warehouse.lot_stock_id
    shelves = env["stock.location"].create(
        [{"name": f"Shelf {index + 1}", "location_id": stock.id} for index in range(SHELVES)]
    )
    locations = [stock.id, *shelves.ids]
    fefo = env.ref("product_expiry.removal_fefo")
    categ_vals = []
    for index in range(CATEGORIES):
        vals = {"name": f"FEFO bench category {index + 1}", "removal_strategy_id": fefo.id}
        if index == 0:
            vals.update(lot_min_shelf_life=7, lot_min_shelf_life_unit="days")
        elif index == 1:
            vals.update(lot_min_shelf_life=15, lot_min_shelf_life_unit="percent")
        categ_vals.append(vals)
    categories = env["product.category"].create(categ_vals)

    product_vals = []
    for index in range(PRODUCTS):
        vals = {
            "name": f"FEFO bench product {index + 1:03d}",
            "default_code": f"FB{index + 1:03d}",
            "is_storable": True,
            "tracking": "lot",
            "use_expiration_date": True,
            "expiration_time": rng.choice((30, 45, 60, 90, 120)),
            "removal_time": rng.choice((0, 0, 1, 2)),
            "categ_id": categories[index % CATEGORIES].id,
        }
        if index % 4 == 0:
            vals.update(lot_min_shelf_life=rng.randint(3, 10), lot_min_shelf_life_unit="days")
        elif index % 8 == 1:
            vals.update(lot_min_shelf_life=rng.randint(10, 20), lot_min_shelf_life_unit="percent")
        product_vals.append(vals)
    products = env["product.product"].create(product_vals)

    customer_vals = []
    for index in range(CUSTOMERS):
        vals = {"name": f"FEFO bench customer {index + 1:03d}", "is_company": True}
        if index % 50 == 0:
            # more than any lot has: their lines stay unreserved, with a reason
            vals.update(lot_min_shelf_life=500, lot_min_shelf_life_unit="days")
        elif index % 3 == 0:
            vals.update(lot_min_shelf_life=rng.randint(5, 20), lot_min_shelf_life_unit="days")
        elif index % 9 == 1:
            vals.update(lot_min_shelf_life=rng.randint(20, 40), lot_min_shelf_life_unit="percent")
        customer_vals.append(vals)
    customers = env["res.partner"].create(customer_vals)
    env.flush_all()

    # per product: 25 lots expired weeks ago (most already set to Expired), 50 lots from
    # 3 days ago to the end of the shelf life (some blocked, in quarantine or restricted
    # to a customer), 25 longer-dated lots that no order reaches
    uid = env.uid
    lot_rows, restricted = [], []
    for product in products:
        shelf_life = product.expiration_time
        for index in range(LOTS_PER_PRODUCT):
            status = "released"
            if index < OLD_LOTS:
                offset = -60 + 2 * index
                if index % 5:
                    status = "expired"
            elif index < LOTS_PER_PRODUCT - LONG_LOTS:
                rank = index - OLD_LOTS
                offset = -3 + (shelf_life + 2) * rank // (LOTS_PER_PRODUCT - OLD_LOTS - LONG_LOTS)
                if rank % 17 == 5:
                    status = "blocked"
                elif rank % 23 == 7:
                    status = "quarantine"
                elif rank % 13 == 3:
                    status = "restricted"
            else:
                offset = shelf_life + 1 + index - (LOTS_PER_PRODUCT - LONG_LOTS)
            expiration = (now + timedelta(days=offset)).replace(hour=11, minute=0, second=0)
            lot_rows.append(
                (
                    f"{product.default_code}-{index + 1:03d}",
                    product.id,
                    product.uom_id.id,
                    company.id,
                    expiration,
                    expiration - timedelta(days=product.removal_time),
                    status,
                    rng.randint(10, 60),
                    locations[index % len(locations)],
                    min(now, now - timedelta(days=shelf_life - offset)),
                    index,
                )
            )
    cr.execute("SELECT nextval('stock_lot_id_seq')")
    first_id = cr.fetchone()[0]
    cr.execute("SELECT setval('stock_lot_id_seq', %s)", [first_id + len(lot_rows)])
    lot_ids = list(range(first_id, first_id + len(lot_rows)))
    cr.execute(
        """
        INSERT INTO stock_lot (id, name, product_id, product_uom_id, company_id,
                               expiration_date, use_date, removal_date, alert_date,
                               lot_status, location_id, product_expiry_reminded,
                               create_uid, create_date, write_uid, write_date)
        SELECT id, name, product_id, uom_id, company_id, exp, exp, removal, exp, status,
               location_id, false, %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM unnest(%(ids)s, %(names)s, %(products)s, %(uoms)s, %(companies)s, %(exps)s,
                      %(removals)s, %(statuses)s, %(locations)s)
            AS t(id, name, product_id, uom_id, company_id, exp, removal, status, location_id)
        """,
        {
            "uid": uid,
            "now": now,
            "ids": lot_ids,
            "names": [row[0] for row in lot_rows],
            "products": [row[1] for row in lot_rows],
            "uoms": [row[2] for row in lot_rows],
            "companies": [row[3] for row in lot_rows],
            "exps": [row[4] for row in lot_rows],
            "removals": [row[5] for row in lot_rows],
            "statuses": [row[6] for row in lot_rows],
            "locations": [row[8] for row in lot_rows],
        },
    )
    for lot_id, row in zip(lot_ids, lot_rows, strict=True):
        if row[6] == "restricted":
            restricted.append((lot_id, customers[rng.randrange(CUSTOMERS)].id))
    if restricted:
        cr.execute(
            "INSERT INTO stock_lot_restricted_partner_rel (lot_id, partner_id) "
            "SELECT * FROM unnest(%s, %s)",
            [[pair[0] for pair in restricted], [pair[1] for pair in restricted]],
        )

    quant_rows = []
    for lot_id, row in zip(lot_ids, lot_rows, strict=True):
        quant_rows.append((lot_id, row, row[8], row[7], None))
        if (lot_id - first_id) % SECOND_QUANT_EVERY == 0:
            other = locations[(locations.index(row[8]) + 1) % len(locations)]
            quant_rows.append((lot_id, row, other, rng.randint(5, 20), f"PACK-{row[0]}"))
    packages = [q for q in quant_rows if q[4]]
    cr.execute(
        """
        INSERT INTO stock_quant_package (name, location_id, company_id, package_use,
                                         pack_date, create_uid, create_date, write_uid,
                                         write_date)
        SELECT name, location_id, %(company)s, 'disposable', %(now)s, %(uid)s, %(now)s,
               %(uid)s, %(now)s
          FROM unnest(%(names)s, %(locations)s) AS t(name, location_id)
     RETURNING name, id
        """,
        {
            "company": company.id,
            "uid": uid,
            "now": now,
            "names": [q[4] for q in packages],
            "locations": [q[2] for q in packages],
        },
    )
    package_ids = dict(cr.fetchall())
    cr.execute(
        """
        INSERT INTO stock_quant (product_id, company_id, location_id, lot_id, quantity,
                                 reserved_quantity, in_date, expiration_date, removal_date,
                                 lot_status, package_id, create_uid, create_date, write_uid,
                                 write_date)
        SELECT product_id, company_id, location_id, lot_id, quantity, 0, in_date, exp,
               removal, status, NULLIF(package_id, 0), %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM unnest(%(products)s, %(companies)s, %(locations)s, %(lots)s, %(quantities)s,
                      %(in_dates)s, %(exps)s, %(removals)s, %(statuses)s, %(packages)s)
            AS t(product_id, company_id, location_id, lot_id, quantity, in_date, exp, removal,
                 status, package_id)
        """,
        {
            "packages": [package_ids.get(q[4], 0) for q in quant_rows],
            "uid": uid,
            "now": now,
            "products": [q[1][1] for q in quant_rows],
            "companies": [q[1][3] for q in quant_rows],
            "locations": [q[2] for q in quant_rows],
            "lots": [q[0] for q in quant_rows],
            "quantities": [float(q[3]) for q in quant_rows],
            "in_dates": [q[1][9] for q in quant_rows],
            "exps": [q[1][4] for q in quant_rows],
            "removals": [q[1][5] for q in quant_rows],
            "statuses": [q[1][6] for q in quant_rows],
        },
    )
    env.invalidate_all()

    # confirmed delivery orders of one or two lines, scheduled over the next days
    customer_location = env.ref("stock.stock_location_customers")
    picking_vals = []
    for _index in range(ORDERS):
        lines = rng.sample(range(PRODUCTS), rng.choice(LINES))
        scheduled = now + timedelta(days=rng.randint(0, 5), hours=rng.randint(0, 8))
        picking_vals.append(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "partner_id": customers[rng.randrange(CUSTOMERS)].id,
                "location_id": stock.id,
                "location_dest_id": customer_location.id,
                "scheduled_date": scheduled,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": products[line].name,
                            "product_id": products[line].id,
                            "product_uom_qty": rng.randint(5, 40),
                            "product_uom": products[line].uom_id.id,
                            "location_id": stock.id,
                            "location_dest_id": customer_location.id,
                        },
                    )
                    for line in lines
                ],
            }
        )
    pickings = env["stock.picking"].create(picking_vals)
    pickings.action_confirm()
    env.flush_all()
    return {"pickings": pickings.ids, "seed": seed}


# ----------------------------------------------------------------- timing


def removals(env):
    """{method: product.removal} of the reference and of the strategies measured."""
    records = env["product.removal"].search([("method", "in", [REFERENCE, *STRATEGIES])])
    by_method = {record.method: record for record in records}
    missing = {REFERENCE, *STRATEGIES} - set(by_method)
    if missing:
        raise SystemExit(f"bench_fefo: no removal strategy for {', '.join(sorted(missing))}")
    return by_method


def run(env, pickings, categories, removal, drop_lots=None):
    """Reserve ``pickings`` with ``removal`` on ``categories``, in a savepoint rolled
    back afterwards; returns the figures."""
    cr = env.cr
    cr.execute("SAVEPOINT bench_fefo")
    try:
        categories.removal_strategy_id = removal
        env.flush_all()
        if drop_lots:
            cr.execute("DELETE FROM stock_quant WHERE lot_id = ANY(%s)", [drop_lots])
        cr.execute("SELECT count(*) FROM stock_quant")
        quants = cr.fetchone()[0]
        env.invalidate_all()
        queries = cr.sql_log_count
        start = time.perf_counter()
        pickings.action_assign()
        env.flush_all()
        elapsed = time.perf_counter() - start
        queries = cr.sql_log_count - queries
        cr.execute(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE state = 'assigned'),
                   count(*) FILTER (WHERE state = 'partially_available'),
                   count(*) FILTER (WHERE lot_fefo_unreserved_reason IS NOT NULL),
                   (SELECT count(*) FROM stock_move_line WHERE move_id = ANY(%s))
              FROM stock_move WHERE id = ANY(%s)
            """,
            [pickings.move_ids.ids, pickings.move_ids.ids],
        )
        moves, assigned, partial, reasons, lines = cr.fetchone()
    finally:
        cr.execute("ROLLBACK TO SAVEPOINT bench_fefo")
        env.invalidate_all()
    return {
        "seconds": elapsed,
        "queries": queries,
        "moves": moves,
        "assigned": assigned,
        "partial": partial,
        "reasons": reasons,
        "lines": lines,
        "quants": quants,
    }


def describe(label, result):
    log(
        f"  {label:<22} {result['seconds']:7.2f} s  {result['queries']:6d} queries  "
        f"{result['queries'] / result['moves']:5.1f}/move  moves {result['moves']} "
        f"(assigned {result['assigned']}, partial {result['partial']}, with a reason "
        f"{result['reasons']})  lines {result['lines']}  quants {result['quants']}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", default=os.path.join(ROOT, ".local", "odoo.conf"))
    parser.add_argument("-d", "--database", default="lot_bench_fefo")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each mode")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--uid", type=int, default=2, help="user reserving (admin)")
    parser.add_argument(
        "--max-ratio",
        type=float,
        default=1.3,
        help="fail when a strategy's time over FEFO's is above this",
    )
    args = parser.parse_args()

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, args.uid, {})
        marker = env["ir.config_parameter"].sudo().get_param(MARKER)
        if not marker:
            log(f"bench_fefo: generating the data in {args.database} (seed {args.seed})")
            start = time.perf_counter()
            data = generate(env, args.seed)
            env["ir.config_parameter"].sudo().set_param(MARKER, json.dumps(data))
            cr.commit()
            for table in ("stock_quant", "stock_lot", "stock_move", "stock_picking"):
                cr.execute(f"ANALYZE {table}")
            cr.commit()
            log(f"bench_fefo: data generated in {time.perf_counter() - start:.0f} s")
            marker = json.dumps(data)
        data = json.loads(marker)
        pickings = env["stock.picking"].browse(data["pickings"])
        cr.execute("SELECT count(*), count(DISTINCT lot_id) FROM stock_quant")
        n_quants, n_lots = cr.fetchone()
        log(
            f"bench_fefo: {args.database}, {len(pickings)} delivery orders, "
            f"{len(pickings.move_ids)} moves, {n_quants} quants of {n_lots} lots, "
            f"{args.repeat} timed runs of each strategy"
        )
        if any(state != "confirmed" for state in pickings.mapped("state")):
            raise SystemExit("bench_fefo: the delivery orders are not all confirmed")

        by_method = removals(env)
        categories = env["product.category"].search([("name", "=like", "FEFO bench category %")])
        modes = (REFERENCE, *STRATEGIES)
        warm = pickings[:WARM_UP_ORDERS]
        log(f"warm-up on {WARM_UP_ORDERS} orders")
        for mode in modes:
            describe(mode, run(env, warm, categories, by_method[mode]))
        failures = []
        # no strategy may take an expired lot: without them the reservations are the same
        cr.execute("SELECT id FROM stock_lot WHERE expiration_date < now() AT TIME ZONE 'UTC'")
        expired = [row[0] for row in cr.fetchall()]
        log(f"without the {len(expired)} expired lots, same orders")
        for mode in STRATEGIES:
            many = run(env, warm, categories, by_method[mode])
            few = run(env, warm, categories, by_method[mode], drop_lots=expired)
            describe(f"{mode} fewer", few)
            if few["queries"] != many["queries"]:
                failures.append(
                    f"{mode}: queries grow with the lots: {many['queries']} with "
                    f"{many['quants']} quants, {few['queries']} with {few['quants']}"
                )
        # a run reserves the orders chunk by chunk, every strategy one after the other on
        # each chunk (the first one rotating): a change of load on the shared machine
        # weighs on all of them alike
        chunks = [pickings[start : start + CHUNK] for start in range(0, len(pickings), CHUNK)]
        results = {mode: [] for mode in modes}
        for index in range(max(1, args.repeat)):
            log(f"run {index + 1}: {len(chunks)} chunks of {CHUNK} orders")
            totals = {mode: Counter() for mode in modes}
            for number, chunk in enumerate(chunks):
                shift = (index + number) % len(modes)
                for mode in modes[shift:] + modes[:shift]:
                    totals[mode].update(run(env, chunk, categories, by_method[mode]))
            for mode in modes:
                total = dict(totals[mode], quants=n_quants)
                results[mode].append(total)
                describe(mode, total)
        reference = results[REFERENCE]
        summary = []
        for mode in STRATEGIES:
            # each run's time over the FEFO time measured next to it, median of the runs
            ratios = [
                result["seconds"] / ref["seconds"]
                for ref, result in zip(reference, results[mode], strict=True)
            ]
            ratio = statistics.median(ratios)
            first = results[mode][0]
            per_move = first["queries"] / first["moves"]
            summary.append((mode, ratio, per_move, first))
            log(
                f"{mode}: median {statistics.median(r['seconds'] for r in results[mode]):.2f} s "
                f"against fefo {statistics.median(r['seconds'] for r in reference):.2f} s; "
                f"ratio per run {', '.join(f'{r:.3f}' for r in ratios)}: median {ratio:.3f} "
                f"(target <= {args.max_ratio})"
            )
            if ratio > args.max_ratio:
                failures.append(f"{mode}: ratio {ratio:.3f} above {args.max_ratio}")
        for failure in failures:
            log(f"bench_fefo: FAILED: {failure}")
        for mode, ratio, per_move, first in summary:
            log(
                f"BENCH fefo strategy={mode} moves={first['moves']} quants={first['quants']} "
                f"ratio_vs_core={ratio:.2f} queries_per_move={per_move:.1f}"
            )
        _mode, worst, _per_move, first = max(summary, key=lambda item: item[1])
        log(
            f"BENCH fefo moves={first['moves']} quants={first['quants']} "
            f"ratio_vs_core={worst:.2f} "
            f"queries_per_move={max(item[2] for item in summary):.1f} "
            f"strategies={len(summary)}"
        )
        cr.rollback()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
