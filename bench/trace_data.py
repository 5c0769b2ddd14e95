#!/usr/bin/env python3
"""Generate a large, consistent lot-traceability data set for ``make bench-trace``.

A bakery-like supply chain over two years, built deterministically from ``--seed``:

* ~50 suppliers deliver raw material lots (receipts from the vendor location);
* three production levels: raw -> intermediate (doughs, fillings), intermediate + raw
  -> finished goods, finished -> repack (gift boxes); a manufacturing order consumes the
  "current" lot(s) of each component, so a finished lot consumes several lots (fan-in)
  and a raw lot goes into every order made while it is in use (fan-out);
* finished and repack lots are delivered to thousands of customers, ~1 % of the
  delivered lines come back (returns) and a few lots are partly scrapped.

Master data (partners, products, BoMs) is created with the ORM; the flows (lots,
pickings, manufacturing orders, scraps, moves, move lines and the MRP consumption
links) are written with ``COPY`` in one transaction, ids taken from each table's
sequence, and the quants are derived from the move lines with SQL, the way Odoo keeps
them (one quant per lot and location, negative on virtual source locations). The run
ends with consistency checks, ``VACUUM ANALYZE`` and a summary; 20 raw lots with a large
downstream (and 20 repack lots with a large upstream) are stored in the
``ir.config_parameter`` ``lot_bench.trace_data`` for ``bench/bench_trace.py`` (a database
that has it is left alone).
"""

import argparse
import bisect
import json
import math
import os
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = "lot_bench.trace_data"

# Per 1,000,000 move lines; everything but products and suppliers scales with --lines.
DAYS = 730
RAW_LOTS = 6000
MO_LEVEL1 = 6000  # raw -> intermediate
MO_LEVEL2 = 18000  # intermediate + raw -> finished
MO_LEVEL3 = 2500  # finished -> repack
CUSTOMERS = 5000
SUPPLIERS = 50
RETURN_RATE = 0.01
SCRAP_RATE = 0.004
DELIVERY_WINDOW = 45.0  # days during which a finished lot is shipped

RAW, INTERMEDIATE, FINISHED, REPACK = range(4)
KIND_CODE = {RAW: "RM", INTERMEDIATE: "IM", FINISHED: "FG", REPACK: "RP"}
# expiration_time, use_time, removal_time, alert_time (days, see product_expiry)
KIND_EXPIRY = {RAW: (365, 30, 15, 45), INTERMEDIATE: (30, 5, 3, 7), FINISHED: (90, 10, 5, 15)}
KIND_EXPIRY[REPACK] = (120, 15, 7, 20)
RAW_NAMES = (
    "Wheat Flour T55|Sugar|Butter|Eggs|Whole Milk|Cocoa Powder|Dark Chocolate|Hazelnuts|"
    "Almonds|Yeast|Salt|Baking Powder|Vanilla Extract|Honey|Cream|Oat Flakes|Raisins|"
    "Cinnamon|Sunflower Oil|Glucose Syrup|Strawberries|Apples|Lemon Zest|Sesame Seeds|"
    "Pumpkin Seeds|Coconut Flakes|Rye Flour|Spelt Flour|Brown Sugar|Milk Powder|"
    "Corn Starch|Gelatin|Walnuts|Pistachios|Cranberries|Ginger|Coffee Extract|Caramel|"
    "Apricots|Poppy Seeds"
).split("|")
INTERMEDIATE_NAMES = (
    "Sweet Dough|Shortcrust Dough|Puff Pastry|Sponge Base|Chocolate Ganache|Praline Filling|"
    "Custard Cream|Fruit Compote|Caramel Sauce|Almond Paste|Bread Dough|Brioche Dough|"
    "Cookie Dough|Crumble Mix|Icing|Nut Mix"
).split("|")
FINISHED_NAMES = (
    "Chocolate Cake|Butter Cookies|Croissant|Pain au Chocolat|Brioche Loaf|Apple Tart|"
    "Lemon Tart|Strawberry Tart|Almond Croissant|Hazelnut Cookies|Oat Cookies|Carrot Cake|"
    "Cinnamon Roll|Fruit Cake|Chocolate Eclair|Cream Puff|Spelt Bread|Rye Bread|Muffin|"
    "Brownie|Cheesecake|Macaron Box|Madeleine|Financier"
).split("|")
REPACK_NAMES = (
    "Gift Box Classic|Gift Box Chocolate|Breakfast Box|Tea Time Box|Party Pack|"
    "Holiday Hamper|Office Tray|Sampler Crate"
).split("|")
COUNTRIES = ("base.fr", "base.de", "base.it", "base.es", "base.be", "base.nl", "base.pl")
CUSTOMER_WORDS = (
    ("Fresh", "Green", "Sunny", "City", "Corner", "Royal", "Little", "Golden", "Village"),
    ("Market", "Grocer", "Cafe", "Deli", "Hotel", "Canteen", "Bakery", "Kiosk", "Store"),
)
SUPPLIER_WORDS = (
    ("Golden", "Valley", "Alpine", "Northern", "Meadow", "River", "Hill", "Sunrise", "Oak"),
    ("Mills", "Farms", "Dairy", "Foods", "Harvest", "Growers", "Trading", "Orchards"),
)

# Shapes of the rows written with COPY (stock_lot and stock_move_line get optional
# columns of the suite appended when the database has them).
PICKING_COLS = (
    "id name origin move_type state priority location_id location_dest_id picking_type_id "
    "partner_id company_id user_id scheduled_date date date_done is_locked printed "
    "has_deadline_issue return_id create_uid create_date write_uid write_date"
).split()
MOVE_COLS = (
    "id name sequence company_id product_id product_uom location_id location_dest_id "
    "partner_id picking_id scrap_id picking_type_id origin_returned_move_id warehouse_id state "
    "priority origin procure_method reference product_qty product_uom_qty quantity picked "
    "scrapped is_inventory additional propagate_cancel date price_unit is_done unit_factor "
    "manual_consumption production_id raw_material_production_id bom_line_id to_refund "
    "create_uid create_date write_uid write_date"
).split()
LINE_COLS = (
    "id picking_id move_id company_id product_id product_uom_id lot_id lot_name location_id "
    "location_dest_id state reference quantity quantity_product_uom picked date "
    "expiration_date create_uid create_date write_uid write_date"
).split()
LINE_OPTIONAL = ("supplier_lot", "production_date")
PRODUCTION_COLS = (
    "id name product_id product_uom_id lot_producing_id picking_type_id location_src_id "
    "location_dest_id production_location_id bom_id user_id company_id state priority "
    "consumption product_qty qty_producing product_uom_qty propagate_cancel is_locked "
    "is_planned allow_workorder_dependencies is_outdated_bom date_start date_finished "
    "backorder_sequence extra_cost create_uid create_date write_uid write_date"
).split()
SCRAP_COLS = (
    "id name company_id product_id product_uom_id lot_id location_id scrap_location_id state "
    "scrap_qty should_replenish date_done create_uid create_date write_uid write_date"
).split()
LOT_COLS = (
    "id name product_id product_uom_id company_id product_expiry_reminded expiration_date "
    "use_date removal_date alert_date create_uid create_date write_uid write_date"
).split()
LOT_OPTIONAL = ("supplier_id", "origin_country_id", "supplier_lot", "receipt_date")
LOT_OPTIONAL += ("production_date",)
REL_COLS = ("consume_line_id", "produce_line_id")
USER = 2  # OdooBot is 1, the administrator 2: the data looks typed in by the admin


def log(msg):
    print(f"trace_data: {msg}", flush=True)


def _fmt(value):
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


class CopyFile:
    """Rows of one table spooled to a temporary file, then loaded with COPY."""

    def __init__(self, table, columns):
        self.table, self.columns, self.rows = table, columns, 0
        self.file = tempfile.TemporaryFile("w+", prefix=f"bench_{table}_")

    def add(self, row):
        self.file.write("\t".join(map(_fmt, row)))
        self.file.write("\n")
        self.rows += 1

    def load(self, cr):
        self.file.flush()
        self.file.seek(0)
        cols = ", ".join(self.columns)
        cr._obj.copy_expert(f"COPY {self.table} ({cols}) FROM STDIN", self.file)
        self.file.close()


# --------------------------------------------------------------------------- master data


def weighted_sample(rng, population, weights, k):
    """k distinct items of population, drawn with the given weights."""
    chosen = []
    while len(chosen) < k:
        item = rng.choices(population, weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


def create_master_data(env, rng, n_customers):
    """Partners, lot-tracked storable products and their BoMs, with the ORM."""
    ctx = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
    env = env(context=dict(env.context, **ctx))
    countries = [env.ref(x).id for x in COUNTRIES]
    w1, w2 = SUPPLIER_WORDS
    suppliers = env["res.partner"].create(
        [
            {
                "name": f"{w1[i % len(w1)]} {w2[i // len(w1) % len(w2)]} {i + 1:02d}",
                "is_company": True,
                "supplier_rank": 1,
                "country_id": countries[i % len(countries)],
                "ref": f"SUP{i + 1:03d}",
            }
            for i in range(SUPPLIERS)
        ]
    )
    w1, w2 = CUSTOMER_WORDS
    customers = env["res.partner"].create(
        [
            {
                "name": f"{rng.choice(w1)} {rng.choice(w2)} {i + 1:05d}",
                "is_company": True,
                "customer_rank": 1,
                "country_id": countries[0] if rng.random() < 0.7 else rng.choice(countries),
                "ref": f"CUS{i + 1:05d}",
            }
            for i in range(n_customers)
        ]
    )
    unit, kg = env.ref("uom.product_uom_unit"), env.ref("uom.product_uom_kgm")
    root = env.ref("product.product_category_all")
    names = {RAW: RAW_NAMES, INTERMEDIATE: INTERMEDIATE_NAMES}
    names.update({FINISHED: FINISHED_NAMES, REPACK: REPACK_NAMES})
    labels = {RAW: "Raw Materials", INTERMEDIATE: "Intermediates", FINISHED: "Finished Goods"}
    labels[REPACK] = "Repacks"
    products = []  # dicts, in index order
    vals_list = []
    for kind in (RAW, INTERMEDIATE, FINISHED, REPACK):
        categ = env["product.category"].create(
            {"name": f"Bench {labels[kind]}", "parent_id": root.id}
        )
        uom = kg if kind == RAW else unit
        exp, use, removal, alert = KIND_EXPIRY[kind]
        for n, name in enumerate(names[kind], start=1):
            code = f"{KIND_CODE[kind]}{n:02d}"
            products.append({"kind": kind, "code": code, "uom": uom.id, "name": name})
            vals_list.append(
                {
                    "name": name,
                    "default_code": code,
                    "type": "consu",
                    "is_storable": True,
                    "tracking": "lot",
                    "categ_id": categ.id,
                    "uom_id": uom.id,
                    "uom_po_id": uom.id,
                    "use_expiration_date": True,
                    "expiration_time": exp,
                    "use_time": use,
                    "removal_time": removal,
                    "alert_time": alert,
                }
            )
    records = env["product.product"].create(vals_list)
    for prod, rec in zip(products, records, strict=True):
        prod.update(id=rec.id, tmpl=rec.product_tmpl_id.id, display=rec.display_name)
        prod["bom"] = []
        prod["weight"] = 1.0
    by_kind = {k: [i for i, p in enumerate(products) if p["kind"] == k] for k in range(4)}
    raws = by_kind[RAW]
    raw_weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(raws))]
    # Bills of materials: which component products each made product consumes.
    for i in by_kind[INTERMEDIATE]:
        products[i]["bom"] = weighted_sample(rng, raws, raw_weights, rng.randint(3, 5))
        products[i]["weight"] = rng.lognormvariate(0, 0.5)
    for i in by_kind[FINISHED]:
        comps = rng.sample(by_kind[INTERMEDIATE], rng.randint(1, 2))
        products[i]["bom"] = comps + weighted_sample(rng, raws, raw_weights, rng.randint(1, 3))
        products[i]["weight"] = rng.lognormvariate(0, 0.6)
    for i in by_kind[REPACK]:
        products[i]["bom"] = rng.sample(by_kind[FINISHED], rng.randint(2, 4))
    boms = env["mrp.bom"].create(
        [
            {
                "product_tmpl_id": products[i]["tmpl"],
                "product_id": products[i]["id"],
                "product_qty": 10.0,
                "consumption": "flexible",
                "bom_line_ids": [
                    (0, 0, {"product_id": products[c]["id"], "product_qty": 1.0})
                    for c in products[i]["bom"]
                ],
            }
            for k in (INTERMEDIATE, FINISHED, REPACK)
            for i in by_kind[k]
        ]
    )
    made = [i for k in (INTERMEDIATE, FINISHED, REPACK) for i in by_kind[k]]
    for i, bom in zip(made, boms, strict=True):
        line_by_product = {line.product_id.id: line.id for line in bom.bom_line_ids}
        products[i]["bom_id"] = bom.id
        products[i]["bom"] = [(c, line_by_product[products[c]["id"]]) for c in products[i]["bom"]]
    supplier_data = [(p.id, p.country_id.id) for p in suppliers]
    return products, by_kind, supplier_data, customers.ids


# --------------------------------------------------------------------------- simulation


class Flows:
    """The whole two-year history in memory: lots, receipts, MOs, deliveries, returns."""

    def __init__(self, rng, products, by_kind, n_suppliers, n_customers, lines, days):
        self.rng, self.products, self.by_kind, self.days = rng, products, by_kind, days
        self.scale = lines / 1_000_000
        self.n_customers = n_customers
        # lots, as parallel lists
        self.lot_prod, self.lot_birth, self.lot_supplier = [], [], []
        self.lot_out = []  # quantity leaving WH/Stock (consumed, delivered, scrapped)
        self.lot_ret = []  # quantity returned by customers
        self.lot_in = []  # quantity received or produced
        self.receipts = []  # (date, supplier index, [lot])
        self.mos = []  # (date, product, produced lot, [(component, bom line, [(lot, qty)])])
        self.consumers = []  # lot -> produced lots of the MOs that consumed it
        self._simulate_raw(n_suppliers)
        self._simulate_production()
        self._simulate_outflows(lines)

    def _new_lot(self, product, birth, supplier=None):
        self.lot_prod.append(product)
        self.lot_birth.append(birth)
        self.lot_supplier.append(supplier)
        self.lot_out.append(0)
        self.lot_ret.append(0)
        self.consumers.append([])
        return len(self.lot_prod) - 1

    def _simulate_raw(self, n_suppliers):
        rng, products, days = self.rng, self.products, self.days
        # Expected uses of each raw product, to size its lots.
        usage = [0.0] * len(products)
        level_mos = {INTERMEDIATE: MO_LEVEL1, FINISHED: MO_LEVEL2, REPACK: MO_LEVEL3}
        for kind, mos in level_mos.items():
            total = sum(products[i]["weight"] for i in self.by_kind[kind])
            for i in self.by_kind[kind]:
                for comp, _line in products[i]["bom"]:
                    usage[comp] += mos * products[i]["weight"] / total
        raws = self.by_kind[RAW]
        roots = {i: math.sqrt(usage[i]) for i in raws}
        n_raw = max(4 * len(raws), round(RAW_LOTS * self.scale))
        by_supplier = {}
        for i in raws:
            main, backup = rng.sample(range(n_suppliers), 2)
            count = max(2, round(n_raw * roots[i] / sum(roots.values())))
            births = [rng.uniform(0, 0.5)] + [rng.uniform(0, days - 1) for _ in range(count - 1)]
            for birth in births:
                supplier = main if rng.random() < 0.85 else backup
                by_supplier.setdefault(supplier, []).append((birth, i))
        # Receipts: a supplier's lots arriving within two days come in one picking.
        for supplier in sorted(by_supplier):
            chunk, size = [], 0
            for birth, product in sorted(by_supplier[supplier]):
                if chunk and (len(chunk) >= size or birth - chunk[0][0] > 2):
                    self._add_receipt(supplier, chunk)
                    chunk = []
                if not chunk:
                    size = rng.choice((1, 1, 2, 2, 3, 4))
                chunk.append((birth, product))
            self._add_receipt(supplier, chunk)
        self.receipts.sort(key=lambda r: r[0])

    def _add_receipt(self, supplier, chunk):
        date = chunk[0][0] - self.rng.uniform(0, 0.1)
        lots = [self._new_lot(product, date, supplier) for _birth, product in chunk]
        self.receipts.append((date, supplier, lots))

    def _available(self, kinds):
        """product -> (sorted births, lots) of the lots of these kinds."""
        avail = {}
        for lot, product in enumerate(self.lot_prod):
            if self.products[product]["kind"] in kinds:
                avail.setdefault(product, []).append((self.lot_birth[lot], lot))
        for pairs in avail.values():
            pairs.sort()
        return {p: ([b for b, _ in v], [lot for _, lot in v]) for p, v in avail.items()}

    def _simulate_production(self):
        rng, products, days = self.rng, self.products, self.days
        levels = (
            (INTERMEDIATE, MO_LEVEL1, (RAW,), 1.0),
            (FINISHED, MO_LEVEL2, (RAW, INTERMEDIATE), 2.0),
            (REPACK, MO_LEVEL3, (FINISHED,), 3.0),
        )
        comp_qty = {RAW: (5, 200), INTERMEDIATE: (10, 150), FINISHED: (4, 40)}
        for kind, count, comp_kinds, start in levels:
            avail = self._available(comp_kinds)
            made = self.by_kind[kind]
            weights = [products[i]["weight"] for i in made]
            count = max(10, round(count * self.scale))
            times = sorted(rng.uniform(start, days - 4 + start) for _ in range(count))
            for t, product in zip(times, rng.choices(made, weights, k=count), strict=True):
                comps = []
                for comp, bom_line in products[product]["bom"]:
                    births, lots = avail.get(comp, ((), ()))
                    pos = bisect.bisect_right(births, t - 0.02) - 1
                    if pos < 0:
                        continue
                    chosen = [lots[pos]]
                    if pos > 0 and rng.random() < 0.25:  # the end of the previous lot too
                        chosen.insert(0, lots[pos - 1])
                    low, high = comp_qty[products[comp]["kind"]]
                    comps.append(
                        (comp, bom_line, [(lot, rng.randint(low, high)) for lot in chosen])
                    )
                if not comps:
                    continue
                lot = self._new_lot(product, t)
                for _comp, _bom_line, pairs in comps:
                    for used, qty in pairs:
                        self.lot_out[used] += qty
                        self.consumers[used].append(lot)
                self.mos.append((t, product, lot, comps))

    def _simulate_outflows(self, lines):
        rng, days = self.rng, self.days
        n_lots = len(self.lot_prod)
        used = sum(len(r[2]) for r in self.receipts)
        used += sum(1 + sum(len(c[2]) for c in mo[3]) for mo in self.mos)
        n_scraps = max(3, round(SCRAP_RATE * n_lots))
        remaining = lines - used - n_scraps
        if remaining < 100:
            raise SystemExit(f"trace_data: --lines {lines} is too small for this shape")
        n_deliveries = round(remaining / (1 + RETURN_RATE))
        n_returns = remaining - n_deliveries
        # Delivery lines: finished and repack lots, shipped within weeks of being made.
        cands, cum, total = [], [], 0.0
        for lot, product in enumerate(self.lot_prod):
            kind = self.products[product]["kind"]
            left = days - 0.3 - self.lot_birth[lot]
            if kind in (FINISHED, REPACK) and left > 0:
                weight = rng.lognormvariate(0, 0.5) * min(1.0, left / DELIVERY_WINDOW)
                total += weight * (0.6 if kind == REPACK else 1.0)
                cands.append(lot)
                cum.append(total)
        d_lot = rng.choices(cands, cum_weights=cum, k=n_deliveries)
        d_date, d_qty = [], []
        for lot in d_lot:
            birth = self.lot_birth[lot]
            d_date.append(birth + 0.1 + rng.random() * min(DELIVERY_WINDOW, days - 0.3 - birth))
            repack = self.products[self.lot_prod[lot]]["kind"] == REPACK
            d_qty.append(rng.randint(1, 12) if repack else rng.randint(2, 48))
        # Delivery pickings: consecutive lines (by date) for one customer.
        order = sorted(range(n_deliveries), key=d_date.__getitem__)
        cust_cum, acc = [], 0.0
        for rank in range(self.n_customers):
            acc += 1.0 / (rank + 1) ** 0.8
            cust_cum.append(acc)
        self.deliveries = []  # (date, customer index, [delivery line])
        pos = 0
        while pos < n_deliveries:
            size = rng.choice((1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 8))
            chunk = order[pos : pos + size]
            pos += size
            date = d_date[chunk[-1]]
            for j in chunk:
                d_date[j] = date
            self.deliveries.append((date, None, chunk))
        customers = rng.choices(
            range(self.n_customers), cum_weights=cust_cum, k=len(self.deliveries)
        )
        self.deliveries = [
            (d, c, ch) for (d, _, ch), c in zip(self.deliveries, customers, strict=True)
        ]
        self.d_lot, self.d_date, self.d_qty = d_lot, d_date, d_qty
        self.d_picking = [0] * n_deliveries  # delivery line -> index in self.deliveries
        self.d_customer = [0] * n_deliveries
        for k, (_date, customer, chunk) in enumerate(self.deliveries):
            for j in chunk:
                self.d_picking[j] = k
                self.d_customer[j] = customer
        for lot, qty in zip(d_lot, d_qty, strict=True):
            self.lot_out[lot] += qty
        # Returns of part of a delivered line, within two weeks.
        self.returns = []  # (date, delivery line, qty)
        for j in sorted(rng.sample(range(n_deliveries), n_returns)):
            date = d_date[j] + 0.05 + rng.random() * max(0.0, min(15.0, days - 0.2 - d_date[j]))
            qty = rng.randint(1, d_qty[j])
            self.returns.append((date, j, qty))
            self.lot_ret[d_lot[j]] += qty
        # Scraps: part of a lot damaged in the warehouse.
        self.scraps = []  # (date, lot, qty)
        for lot in sorted(rng.sample(range(n_lots), n_scraps)):
            birth = self.lot_birth[lot]
            date = birth + 0.05 + rng.random() * max(0.0, min(20.0, days - 0.2 - birth))
            qty = rng.randint(1, 10)
            self.scraps.append((date, lot, qty))
            self.lot_out[lot] += qty
        # What was received or made = what left + what is still there.
        for lot in range(n_lots):
            out, age = self.lot_out[lot], days - self.lot_birth[lot]
            if not out:
                left = rng.randint(20, 400)
            elif age < 60:
                left = rng.randint(1, max(2, out // 3))
            elif rng.random() < 0.1:
                left = rng.randint(1, 25)
            else:
                left = 0
            self.lot_in.append(out + left)

    def downstream(self, lot):
        """Lots reached downstream of ``lot`` (itself included)."""
        seen, todo = {lot}, [lot]
        while todo:
            for nxt in self.consumers[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen


# --------------------------------------------------------------------------- writing


def reserve_ids(cr, table, count):
    """First id of ``count`` consecutive ids taken from the table's sequence."""
    seq = f"{table}_id_seq"
    cr.execute(
        f"SELECT setval('{seq}', GREATEST((SELECT COALESCE(max(id), 0) FROM {table}),"
        f" (SELECT last_value FROM {seq})) + %s)",
        [max(count, 1)],
    )
    return cr.fetchone()[0] - count + 1


def columns_of(cr, table):
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s", [table])
    return {r[0] for r in cr.fetchall()}


def write_flows(env, flows, products, suppliers, customer_ids, end):
    cr = env.cr
    base = end - timedelta(days=flows.days)

    def ts(t):
        return (base + timedelta(days=t)).strftime("%Y-%m-%d %H:%M:%S")

    def day(t):
        return (base + timedelta(days=t)).strftime("%Y-%m-%d")

    lot_cols = set(columns_of(cr, "stock_lot"))
    line_cols = set(columns_of(cr, "stock_move_line"))
    lot_opt = [c for c in LOT_OPTIONAL if c in lot_cols]
    line_opt = [c for c in LINE_OPTIONAL if c in line_cols]
    files = {
        "stock_lot": CopyFile("stock_lot", LOT_COLS + lot_opt),
        "stock_picking": CopyFile("stock_picking", PICKING_COLS),
        "mrp_production": CopyFile("mrp_production", PRODUCTION_COLS),
        "stock_scrap": CopyFile("stock_scrap", SCRAP_COLS),
        "stock_move": CopyFile("stock_move", MOVE_COLS),
        "stock_move_line": CopyFile("stock_move_line", LINE_COLS + line_opt),
        "stock_move_line_consume_rel": CopyFile("stock_move_line_consume_rel", REL_COLS),
    }
    n_lots = len(flows.lot_prod)
    n_pickings = len(flows.receipts) + len(flows.deliveries) + len(flows.returns)
    n_moves = sum(len(r[2]) for r in flows.receipts) + len(flows.d_lot)
    n_moves += len(flows.returns) + len(flows.scraps) + sum(1 + len(m[3]) for m in flows.mos)
    n_lines = sum(len(r[2]) for r in flows.receipts) + len(flows.d_lot)
    n_lines += len(flows.returns) + len(flows.scraps)
    n_lines += sum(1 + sum(len(c[2]) for c in m[3]) for m in flows.mos)
    first = {
        "stock_lot": reserve_ids(cr, "stock_lot", n_lots),
        "stock_picking": reserve_ids(cr, "stock_picking", n_pickings),
        "mrp_production": reserve_ids(cr, "mrp_production", len(flows.mos)),
        "stock_scrap": reserve_ids(cr, "stock_scrap", len(flows.scraps)),
        "stock_move": reserve_ids(cr, "stock_move", n_moves),
        "stock_move_line": reserve_ids(cr, "stock_move_line", n_lines),
    }
    counters = dict(first)

    def next_id(table):
        value = counters[table]
        counters[table] = value + 1
        return value

    # Lots: ids and names in the order they appeared.
    lot_order = sorted(range(n_lots), key=flows.lot_birth.__getitem__)
    lot_id = [0] * n_lots
    lot_name = [""] * n_lots
    per_product = {}
    for lot in lot_order:
        product = flows.lot_prod[lot]
        per_product[product] = per_product.get(product, 0) + 1
        lot_id[lot] = next_id("stock_lot")
        lot_name[lot] = f"{products[product]['code']}-{per_product[product]:05d}"
    rng = flows.rng
    sup_lot = {}
    lot_exp = {}
    for lot in lot_order:
        product = products[flows.lot_prod[lot]]
        birth = flows.lot_birth[lot]
        exp, use, removal, alert = KIND_EXPIRY[product["kind"]]
        exp_t = birth + exp
        lot_exp[lot] = ts(exp_t)
        row = [lot_id[lot], lot_name[lot], product["id"], product["uom"], 1, False]
        row += [lot_exp[lot], ts(exp_t - use), ts(exp_t - removal), ts(exp_t - alert)]
        row += [USER, ts(birth), USER, ts(birth)]
        supplier = flows.lot_supplier[lot]
        if supplier is not None:
            sup_lot[lot] = f"S{supplier + 1:02d}-{rng.randint(100000, 999999)}"
        opt = {
            "supplier_id": supplier is not None and suppliers[supplier][0] or None,
            "origin_country_id": supplier is not None and suppliers[supplier][1] or None,
            "supplier_lot": sup_lot.get(lot),
            "receipt_date": ts(birth) if supplier is not None else None,
            "production_date": day(birth) if supplier is None else None,
        }
        files["stock_lot"].add(row + [opt[c] for c in lot_opt])

    # Documents in date order, so that ids grow with time as in a real database.
    docs = [(r[0], 0, k) for k, r in enumerate(flows.receipts)]
    docs += [(m[0], 1, k) for k, m in enumerate(flows.mos)]
    docs += [(d[0], 2, k) for k, d in enumerate(flows.deliveries)]
    docs += [(r[0], 3, k) for k, r in enumerate(flows.returns)]
    docs += [(s[0], 4, k) for k, s in enumerate(flows.scraps)]
    docs.sort()
    seqs = {"in": 0, "out": 0, "mo": 0, "scrap": 0}
    d_move = [0] * len(flows.d_lot)
    d_picking_id = [0] * len(flows.deliveries)
    d_picking_name = [""] * len(flows.deliveries)
    pick_f, move_f, line_f = files["stock_picking"], files["stock_move"], files["stock_move_line"]
    rel_f = files["stock_move_line_consume_rel"]
    line_extra = {c: None for c in line_opt}
    stock, supplier_loc, customer_loc, production_loc, scrap_loc = 8, 4, 5, 15, 16

    def picking(name, src, dest, ptype, partner, date, origin=None, return_id=None):
        pid = next_id("stock_picking")
        pick_f.add(
            [pid, name, origin, "direct", "done", "0", src, dest, ptype, partner, 1, USER]
            + [date, date, date, True, False, False, return_id, USER, date, USER, date]
        )
        return pid

    def move(product, src, dest, qty, date, ref, **kw):
        mid = next_id("stock_move")
        move_f.add(
            [mid, product["display"], 10, 1, product["id"], product["uom"], src, dest]
            + [kw.get("partner"), kw.get("picking"), kw.get("scrap"), kw.get("ptype")]
            + [kw.get("returned"), kw.get("warehouse"), "done", "0", kw.get("origin")]
            + ["make_to_stock", ref, qty, qty, qty, True, bool(kw.get("scrap")), False, False]
            + [False, date, 0.0, True, kw.get("factor", 1.0), False, kw.get("production")]
            + [kw.get("raw_production"), kw.get("bom_line"), False, USER, date, USER, date]
        )
        return mid

    def line(product, lot, src, dest, qty, date, ref, mid, pid=None, lot_label=None, **extra):
        lid = next_id("stock_move_line")
        row = [lid, pid, mid, 1, product["id"], product["uom"], lot_id[lot], lot_label, src, dest]
        row += ["done", ref, qty, qty, True, date, extra.get("expiration"), USER, date, USER, date]
        if line_opt:
            vals = dict(line_extra, **extra)
            row += [vals[c] for c in line_opt]
        line_f.add(row)
        return lid

    for t, kind, k in docs:
        date = ts(t)
        if kind == 0:  # receipt
            _t, supplier, lots = flows.receipts[k]
            seqs["in"] += 1
            name = f"WH/IN/{seqs['in']:05d}"
            partner = suppliers[supplier][0]
            pid = picking(name, supplier_loc, stock, 1, partner, date)
            for lot in lots:
                product = products[flows.lot_prod[lot]]
                qty = flows.lot_in[lot]
                mid = move(product, supplier_loc, stock, qty, date, name, picking=pid, ptype=1)
                line(
                    product,
                    lot,
                    supplier_loc,
                    stock,
                    qty,
                    date,
                    name,
                    mid,
                    pid,
                    lot_name[lot],
                    expiration=lot_exp[lot],
                    supplier_lot=sup_lot[lot],
                )
        elif kind == 1:  # manufacturing order
            _t, prod_idx, made, comps = flows.mos[k]
            product = products[prod_idx]
            seqs["mo"] += 1
            name = f"WH/MO/{seqs['mo']:05d}"
            mo_id = next_id("mrp_production")
            qty = flows.lot_in[made]
            start = ts(t - 0.05 - 0.25 * ((k * 7919) % 97) / 97)
            files["mrp_production"].add(
                [mo_id, name, product["id"], product["uom"], lot_id[made], 11, stock, stock]
                + [production_loc, product["bom_id"], USER, 1, "done", "0", "flexible", qty]
                + [qty, qty, False, True, False, False, False, start, date, 0, 0.0]
                + [USER, start, USER, date]
            )
            consumed = []
            for comp, bom_line, pairs in comps:
                comp_p = products[comp]
                total = sum(q for _lot, q in pairs)
                mid = move(
                    comp_p,
                    stock,
                    production_loc,
                    total,
                    date,
                    name,
                    ptype=11,
                    warehouse=1,
                    raw_production=mo_id,
                    bom_line=bom_line,
                    factor=total / qty,
                    origin=name,
                )
                for lot, q in pairs:
                    consumed.append(line(comp_p, lot, stock, production_loc, q, date, name, mid))
            mid = move(
                product,
                production_loc,
                stock,
                qty,
                date,
                name,
                ptype=11,
                warehouse=1,
                production=mo_id,
                origin=name,
            )
            finished = line(
                product,
                made,
                production_loc,
                stock,
                qty,
                date,
                name,
                mid,
                expiration=lot_exp[made],
                production_date=day(t),
            )
            for comp_line in consumed:
                # consume_line_ids of the finished line: (consume_line_id=finished,
                # produce_line_id=component line), see stock.move.line in mrp.
                rel_f.add((finished, comp_line))
        elif kind == 2:  # delivery
            _t, customer, chunk = flows.deliveries[k]
            seqs["out"] += 1
            name = f"WH/OUT/{seqs['out']:05d}"
            partner = customer_ids[customer]
            pid = picking(name, stock, customer_loc, 2, partner, date)
            d_picking_id[k], d_picking_name[k] = pid, name
            for j in chunk:
                lot = flows.d_lot[j]
                product = products[flows.lot_prod[lot]]
                qty = flows.d_qty[j]
                mid = move(
                    product,
                    stock,
                    customer_loc,
                    qty,
                    date,
                    name,
                    picking=pid,
                    ptype=2,
                    partner=partner,
                )
                d_move[j] = mid
                line(product, lot, stock, customer_loc, qty, date, name, mid, pid)
        elif kind == 3:  # customer return
            _t, j, qty = flows.returns[k]
            seqs["in"] += 1
            name = f"WH/IN/{seqs['in']:05d}"
            lot = flows.d_lot[j]
            product = products[flows.lot_prod[lot]]
            orig = flows.d_picking[j]
            partner = customer_ids[flows.d_customer[j]]
            pid = picking(
                name,
                customer_loc,
                stock,
                1,
                partner,
                date,
                f"Return of {d_picking_name[orig]}",
                d_picking_id[orig],
            )
            mid = move(
                product,
                customer_loc,
                stock,
                qty,
                date,
                name,
                picking=pid,
                ptype=1,
                partner=partner,
                returned=d_move[j],
                origin=f"Return of {d_picking_name[orig]}",
            )
            line(product, lot, customer_loc, stock, qty, date, name, mid, pid)
        else:  # scrap
            _t, lot, qty = flows.scraps[k]
            product = products[flows.lot_prod[lot]]
            seqs["scrap"] += 1
            name = f"SP/{seqs['scrap']:05d}"
            sid = next_id("stock_scrap")
            files["stock_scrap"].add(
                [sid, name, 1, product["id"], product["uom"], lot_id[lot], stock, scrap_loc]
                + ["done", qty, False, date, USER, date, USER, date]
            )
            mid = move(product, stock, scrap_loc, qty, date, name, scrap=sid, origin=name)
            line(product, lot, stock, scrap_loc, qty, date, name, mid)

    for table, start in first.items():
        if counters[table] - start != files[table].rows:
            raise RuntimeError(
                f"{table}: {files[table].rows} rows for {counters[table] - start} ids"
            )
    # Load, parents first; FK triggers are skipped when allowed (superuser), the checks
    # at the end verify the references instead.
    cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    superuser = cr.fetchone()[0]
    if superuser:
        cr.execute("SET LOCAL session_replication_role = replica")
    for table, copy in files.items():
        started = time.time()
        rows = copy.rows
        copy.load(cr)
        log(f"  COPY {table}: {rows} rows in {time.time() - started:.1f} s")
    if superuser:
        cr.execute("SET LOCAL session_replication_role = origin")
    return {
        "lot_id": lot_id,
        "lot_name": lot_name,
        "first": first,
        "counters": counters,
        "seqs": seqs,
        "lines": line_f.rows,
    }


def write_quants(env, written, end):
    """One quant per (lot, location) with the net quantity of the done move lines."""
    cr = env.cr
    first, last = written["first"]["stock_move_line"], written["counters"]["stock_move_line"] - 1
    inventory_date = env["stock.location"].browse(8)._get_next_inventory_date()
    started = time.time()
    cr.execute(
        """
        INSERT INTO stock_quant (product_id, company_id, location_id, lot_id, quantity,
                                 reserved_quantity, in_date, inventory_quantity,
                                 inventory_diff_quantity, inventory_quantity_set,
                                 inventory_date, expiration_date, removal_date,
                                 create_uid, create_date, write_uid, write_date)
        SELECT m.product_id, loc.company_id, m.location_id, m.lot_id, sum(m.qty), 0,
               COALESCE(min(m.date) FILTER (WHERE m.qty > 0), min(m.date)), NULL, 0, false,
               CASE WHEN loc.usage = 'internal' THEN %(inv)s::date END,
               lot.expiration_date, lot.removal_date, %(uid)s, max(m.date), %(uid)s, max(m.date)
          FROM (SELECT product_id, lot_id, location_dest_id AS location_id, quantity AS qty, date
                  FROM stock_move_line WHERE id BETWEEN %(first)s AND %(last)s
                UNION ALL
                SELECT product_id, lot_id, location_id, -quantity, date
                  FROM stock_move_line WHERE id BETWEEN %(first)s AND %(last)s) m
          JOIN stock_location loc ON loc.id = m.location_id
          JOIN stock_lot lot ON lot.id = m.lot_id
         GROUP BY m.product_id, m.lot_id, m.location_id, loc.company_id, loc.usage,
                  lot.expiration_date, lot.removal_date
        HAVING sum(m.qty) <> 0
        """,
        {"inv": inventory_date, "uid": USER, "first": first, "last": last},
    )
    quants = cr.rowcount
    # stock.lot.location_id: the single location holding a positive quantity.
    lot_first, lot_last = written["first"]["stock_lot"], written["counters"]["stock_lot"] - 1
    cr.execute(
        """
        UPDATE stock_lot lot SET location_id = q.location_id
          FROM (SELECT lot_id, min(location_id) AS location_id FROM stock_quant
                 WHERE quantity > 0 AND lot_id BETWEEN %s AND %s
                 GROUP BY lot_id HAVING count(DISTINCT location_id) = 1) q
         WHERE lot.id = q.lot_id
        """,
        [lot_first, lot_last],
    )
    log(f"  stock_quant: {quants} quants in {time.time() - started:.1f} s")


def advance_sequences(env, seqs):
    """Let Odoo's own numbering continue after the generated documents."""
    types = env["stock.picking.type"].browse([1, 2, 11]).exists()
    by_code = {t.id: t.sequence_id for t in types}
    pairs = [(by_code.get(1), seqs["in"]), (by_code.get(2), seqs["out"])]
    pairs += [(by_code.get(11), seqs["mo"])]
    pairs += [(env["ir.sequence"].search([("code", "=", "stock.scrap")], limit=1), seqs["scrap"])]
    for seq, used in pairs:
        if seq and used and seq.number_next_actual <= used:
            seq.write({"number_next": used + 1})


# --------------------------------------------------------------------------- lots to trace


def pick_trace_lots(flows, written, count=20):
    """Raw lots with a large downstream: the largest one, then evenly down the top quarter."""
    d_by_lot = {}
    for j, lot in enumerate(flows.d_lot):
        d_by_lot.setdefault(lot, []).append(j)
    raws = [lot for lot, p in enumerate(flows.lot_prod) if flows.products[p]["kind"] == RAW]
    reach = {}
    for lot in raws:
        down = flows.downstream(lot)
        reach[lot] = (sum(len(d_by_lot.get(x, ())) for x in down), down)
    ranked = sorted(raws, key=lambda lot: (-reach[lot][0], lot))
    top = max(count, len(ranked) // 4)
    ranks = sorted({round(i * (top - 1) / (count - 1)) for i in range(count)})
    chosen = []
    for rank in ranks:
        lot = ranked[rank]
        down = reach[lot][1]
        lines = [j for x in down for j in d_by_lot.get(x, ())]
        chosen.append(
            {
                "id": written["lot_id"][lot],
                "name": written["lot_name"][lot],
                "product": flows.products[flows.lot_prod[lot]]["display"],
                "downstream_lots": len(down) - 1,
                "delivery_lines": len(lines),
                "deliveries": len({flows.d_picking[j] for j in lines}),
                "customers": len({flows.d_customer[j] for j in lines}),
            }
        )
    spread = [reach[lot][0] for lot in ranked]
    log(
        f"downstream delivery lines per raw lot: max {spread[0]}, p90 {spread[len(spread) // 10]},"
        f" median {spread[len(spread) // 2]} ({len(spread)} raw lots)"
    )
    return chosen


def pick_upstream_lots(flows, written, count=20):
    """Repack lots (three levels of production) with the largest upstream, evenly spread."""
    made_from = {}
    for _t, _product, made, comps in flows.mos:
        made_from[made] = [lot for _c, _b, pairs in comps for lot, _q in pairs]
    repacks = [lot for lot, p in enumerate(flows.lot_prod) if flows.products[p]["kind"] == REPACK]
    reach = {}
    for lot in repacks:
        seen, todo = {lot}, [lot]
        while todo:
            for nxt in made_from.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        reach[lot] = len(seen) - 1
    ranked = sorted(repacks, key=lambda lot: (-reach[lot], lot))
    ranks = sorted({round(i * (len(ranked) - 1) / (count - 1)) for i in range(count)})
    return [
        {
            "id": written["lot_id"][lot],
            "name": written["lot_name"][lot],
            "product": flows.products[flows.lot_prod[lot]]["display"],
            "upstream_lots": reach[lot],
        }
        for lot in (ranked[rank] for rank in ranks)
    ]


# --------------------------------------------------------------------------- checks


CHECKS = (
    (
        "internal quant = in - out per lot and location",
        """
        WITH moves AS (
            SELECT lot_id, location_dest_id AS loc, quantity AS qty FROM stock_move_line
             WHERE state = 'done' AND lot_id IS NOT NULL
            UNION ALL
            SELECT lot_id, location_id, -quantity FROM stock_move_line
             WHERE state = 'done' AND lot_id IS NOT NULL),
        net AS (SELECT lot_id, loc, sum(qty) AS qty FROM moves GROUP BY 1, 2),
        quant AS (SELECT lot_id, location_id AS loc, sum(quantity) AS qty FROM stock_quant
                   WHERE lot_id IS NOT NULL GROUP BY 1, 2)
        SELECT count(*) FROM net FULL JOIN quant USING (lot_id, loc)
          JOIN stock_location l ON l.id = loc
         WHERE l.usage = 'internal' AND COALESCE(net.qty, 0) <> COALESCE(quant.qty, 0)
        """,
    ),
    (
        "negative internal quants",
        """
        SELECT count(*) FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
         WHERE l.usage = 'internal' AND q.quantity < 0""",
    ),
    (
        "consume rel rows not linking a finished and a component line of one MO",
        """
        SELECT count(*) FROM stock_move_line_consume_rel r
          JOIN stock_move_line p ON p.id = r.consume_line_id
          JOIN stock_move pm ON pm.id = p.move_id
          JOIN stock_move_line c ON c.id = r.produce_line_id
          JOIN stock_move cm ON cm.id = c.move_id
         WHERE pm.production_id IS NULL
            OR pm.production_id IS DISTINCT FROM cm.raw_material_production_id
            OR c.date > p.date""",
    ),
    (
        "done MOs whose finished line is not their lot_producing_id",
        """
        SELECT count(*) FROM mrp_production mo WHERE mo.state = 'done' AND NOT EXISTS (
            SELECT 1 FROM stock_move m JOIN stock_move_line ml ON ml.move_id = m.id
             WHERE m.production_id = mo.id AND ml.lot_id = mo.lot_producing_id)""",
    ),
    (
        "lots leaving stock before they first arrived",
        """
        SELECT count(*) FROM (
            SELECT lot_id,
                   min(date) FILTER (WHERE location_dest_id = 8) AS first_in,
                   min(date) FILTER (WHERE location_id = 8) AS first_out
              FROM stock_move_line WHERE state = 'done' GROUP BY lot_id) s
         WHERE first_out < first_in OR (first_out IS NOT NULL AND first_in IS NULL)""",
    ),
    (
        "done moves whose quantity is not the sum of their lines",
        """
        SELECT count(*) FROM stock_move m JOIN (
            SELECT move_id, sum(quantity) AS qty, min(picking_id) AS pick,
                   count(DISTINCT product_id) AS products
              FROM stock_move_line GROUP BY move_id) l ON l.move_id = m.id
         WHERE m.state = 'done' AND (m.quantity <> l.qty OR m.product_qty <> l.qty
            OR l.pick IS DISTINCT FROM m.picking_id OR l.products <> 1)""",
    ),
    (
        "move lines without an existing move, lot, picking or product",
        """
        SELECT count(*) FROM stock_move_line ml
          LEFT JOIN stock_move m ON m.id = ml.move_id
          LEFT JOIN stock_lot lot ON lot.id = ml.lot_id
          LEFT JOIN stock_picking p ON p.id = ml.picking_id
          LEFT JOIN product_product pp ON pp.id = ml.product_id
         WHERE m.id IS NULL OR (ml.lot_id IS NOT NULL AND lot.id IS NULL)
            OR (ml.picking_id IS NOT NULL AND p.id IS NULL) OR pp.id IS NULL
            OR lot.product_id <> ml.product_id""",
    ),
    (
        "duplicate lot names per product and company",
        """
        SELECT count(*) FROM (SELECT 1 FROM stock_lot GROUP BY name, product_id, company_id
                               HAVING count(*) > 1) d""",
    ),
    (
        "not-done pickings or moves",
        """
        SELECT (SELECT count(*) FROM stock_picking WHERE state <> 'done')
             + (SELECT count(*) FROM stock_move WHERE state <> 'done')""",
    ),
)
SEQUENCE_TABLES = (
    "stock_lot stock_picking mrp_production stock_scrap stock_move stock_move_line stock_quant"
).split()


def run_checks(cr, flows, written, chosen):
    failures = 0
    for label, query in CHECKS:
        started = time.time()
        cr.execute(query)
        bad = cr.fetchone()[0]
        failures += bool(bad)
        log(f"  check {'OK ' if not bad else 'BAD'} {label}: {bad} ({time.time() - started:.1f} s)")
    for table in SEQUENCE_TABLES:
        cr.execute(f"SELECT (SELECT last_value FROM {table}_id_seq), (SELECT max(id) FROM {table})")
        last, top = cr.fetchone()
        if top is not None and last < top:
            failures += 1
            log(f"  check BAD sequence {table}_id_seq = {last} < max(id) {top}")
    log("  check OK  id sequences are past every table's max(id)")
    # What Python expected on hand per lot (leftover + returns) against the quants.
    rng = random.Random(7)
    sample = rng.sample(range(len(flows.lot_prod)), min(2000, len(flows.lot_prod)))
    cr.execute(
        "SELECT lot_id, quantity FROM stock_quant WHERE location_id = 8 AND lot_id = ANY(%s)",
        [[written["lot_id"][lot] for lot in sample]],
    )
    on_hand = dict(cr.fetchall())
    bad = sum(
        1
        for lot in sample
        if float(on_hand.get(written["lot_id"][lot], 0))
        != flows.lot_in[lot] - flows.lot_out[lot] + flows.lot_ret[lot]
    )
    failures += bool(bad)
    log(
        f"  check {'OK ' if not bad else 'BAD'} simulated on-hand = quant, {len(sample)} lots:"
        f" {bad}"
    )
    # The largest downstream recomputed in SQL from the consumption links.
    recall = chosen[0]
    cr.execute(
        """
        WITH RECURSIVE down(lot_id) AS (
            SELECT %s
            UNION
            SELECT p.lot_id FROM down
              JOIN stock_move_line c ON c.lot_id = down.lot_id AND c.state = 'done'
              JOIN stock_move_line_consume_rel r ON r.produce_line_id = c.id
              JOIN stock_move_line p ON p.id = r.consume_line_id)
        SELECT count(DISTINCT ml.picking_id), count(*) FROM down
          JOIN stock_move_line ml ON ml.lot_id = down.lot_id
          JOIN stock_location l ON l.id = ml.location_dest_id
         WHERE l.usage = 'customer' AND ml.state = 'done'
        """,
        [recall["id"]],
    )
    pickings, lines = cr.fetchone()
    bad = (pickings, lines) != (recall["deliveries"], recall["delivery_lines"])
    failures += bad
    log(
        f"  check {'OK ' if not bad else 'BAD'} SQL downstream of {recall['name']}: {pickings}"
        f" deliveries / {lines} lines (simulated {recall['deliveries']} /"
        f" {recall['delivery_lines']})"
    )
    return failures


def summary(cr):
    out = {}
    for table in (
        "stock_move_line stock_move stock_picking stock_lot stock_quant mrp_production "
        "stock_scrap stock_move_line_consume_rel"
    ).split():
        cr.execute(f"SELECT count(*) FROM {table}")
        out[table] = cr.fetchone()[0]
    cr.execute("SELECT count(*) FROM res_partner WHERE customer_rank > 0")
    out["customers"] = cr.fetchone()[0]
    cr.execute("SELECT count(*) FROM stock_move_line WHERE state = 'done' AND lot_id IS NOT NULL")
    out["lines"] = cr.fetchone()[0]
    return out


def vacuum_analyze(dbname):
    import psycopg2
    from odoo.sql_db import connection_info_for

    _db, info = connection_info_for(dbname)
    cnx = psycopg2.connect(**info)
    cnx.autocommit = True
    with cnx.cursor() as cr:
        for table in SEQUENCE_TABLES + ["stock_move_line_consume_rel", "res_partner"]:
            cr.execute(f"VACUUM (ANALYZE) {table}")
    cnx.close()


# --------------------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", default=os.path.join(ROOT, ".local", "odoo.conf"))
    parser.add_argument("-d", "--database", default="lot_bench")
    parser.add_argument("--lines", type=int, default=1_000_000, help="stock.move.line rows")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    registry = Registry(args.database)
    started = time.time()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        cr.execute("SELECT state FROM ir_module_module WHERE name = 'lot_traceability'")
        if (cr.fetchone() or [None])[0] != "installed":
            raise SystemExit(f"trace_data: lot_traceability is not installed in {args.database}")
        existing = env["ir.config_parameter"].get_param(MARKER)
        if existing:
            data = json.loads(existing)
            log(
                f"{args.database} already has the data (seed {data['seed']});"
                " BENCH_RESET=1 rebuilds"
            )
            print(f"lines={data['summary']['lines']}")
            return 0
        rng = random.Random(args.seed)
        scale = args.lines / 1_000_000
        n_customers = max(200, round(CUSTOMERS * scale))
        log(f"master data: {SUPPLIERS} suppliers, {n_customers} customers, products and BoMs (ORM)")
        products, by_kind, suppliers, customer_ids = create_master_data(env, rng, n_customers)
        log(f"  done in {time.time() - started:.1f} s")
        t0 = time.time()
        flows = Flows(rng, products, by_kind, SUPPLIERS, n_customers, args.lines, DAYS)
        log(
            f"simulated {len(flows.lot_prod)} lots, {len(flows.receipts)} receipts, "
            f"{len(flows.mos)} MOs, {len(flows.deliveries)} deliveries, {len(flows.returns)} "
            f"returns, {len(flows.scraps)} scraps in {time.time() - t0:.1f} s"
        )
        end = datetime.now().replace(minute=0, second=0, microsecond=0)
        t0 = time.time()
        written = write_flows(env, flows, products, suppliers, customer_ids, end)
        write_quants(env, written, end)
        advance_sequences(env, written["seqs"])
        log(f"written in {time.time() - t0:.1f} s")
        chosen = pick_trace_lots(flows, written)
        upstream_lots = pick_upstream_lots(flows, written)
        t0 = time.time()
        log("consistency checks:")
        failures = run_checks(cr, flows, written, chosen)
        if failures:
            cr.rollback()
            raise SystemExit(f"trace_data: {failures} failed checks, nothing kept")
        log(f"  checks done in {time.time() - t0:.1f} s")
        counts = summary(cr)
        recall = max(chosen, key=lambda c: (c["deliveries"], -c["id"]))
        marker = {
            "seed": args.seed,
            "requested_lines": args.lines,
            "generated_at": end.strftime("%Y-%m-%d %H:%M:%S"),
            "summary": counts,
            "lots": chosen,
            "recall_lot": recall,
            "upstream_lots": upstream_lots,
        }
        env["ir.config_parameter"].set_param(MARKER, json.dumps(marker))
        cr.commit()
    t0 = time.time()
    vacuum_analyze(args.database)
    log(f"VACUUM ANALYZE in {time.time() - t0:.1f} s")
    log("rows: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    log("trace lots (raw, largest downstream first):")
    for c in chosen:
        log(
            f"  id={c['id']} {c['name']} {c['product']}: {c['downstream_lots']} downstream lots, "
            f"{c['deliveries']} deliveries ({c['delivery_lines']} lines) to"
            f" {c['customers']} customers"
        )
    sizes = [u["upstream_lots"] for u in upstream_lots]
    log(
        f"upstream lots (repack, for the extra upstream timings): {len(sizes)}, reaching "
        f"{min(sizes, default=0)} to {max(sizes, default=0)} lots"
    )
    log(
        f"recall lot: id={recall['id']} name={recall['name']} ({recall['product']}), "
        f"{recall['deliveries']} customer deliveries to {recall['customers']} customers"
    )
    if args.lines >= 1_000_000 and recall["deliveries"] < 1000:
        log("WARNING: no trace lot reaches 1,000 deliveries")
    log(f"generated in {time.time() - started:.1f} s")
    print(f"lines={counts['lines']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
