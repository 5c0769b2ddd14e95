import csv
import io
import zipfile

import openpyxl
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..tools.move_kinds import CLASSIFIED_COLUMNS, classify_sql, kind_sql
from .common import company_user


@tagged("post_install", "-at_install")
class TestLotGenealogy(TransactionCase):
    """The genealogy engine on the demo bakery, on rework cycles and across companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.genealogy = cls.env["lot.genealogy"]
        cls.lot = {
            lot.name: lot
            for lot in cls.env["stock.lot"].search([("product_id.default_code", "=like", "%-___")])
        }

    def _names(self, lot_ids):
        return {self.env["stock.lot"].browse(lot_id).name for lot_id in lot_ids}

    def _edges(self, result):
        lots = self.env["stock.lot"].browse
        return {
            (lots(edge["in_lot"]).name, lots(edge["out_lot"]).name): round(edge["quantity"], 3)
            for edge in result["edges"]
        }

    def test_upstream_of_a_cake_lot_reaches_its_exact_raw_lots_and_suppliers(self):
        result = self.genealogy.trace(self.lot["FG-CAK-001"].ids, "upstream")
        depths = {
            self.env["stock.lot"].browse(r["lot_id"]).name: r["depth"] for r in result["lots"]
        }
        self.assertEqual(
            depths,
            {
                "FG-CAK-001": 0,
                "RM-FLR-001": 1,
                "RM-FLR-002": 1,
                "RM-MLK-001": 1,
                "RM-EGG-001": 1,
                "RM-EGG-002": 1,
                "RM-SUG-001": 1,
            },
        )
        self.assertEqual(
            self._edges(result),
            {
                ("RM-FLR-001", "FG-CAK-001"): 60,
                ("RM-FLR-002", "FG-CAK-001"): 30,
                ("RM-MLK-001", "FG-CAK-001"): 60,
                ("RM-EGG-001", "FG-CAK-001"): 500,
                ("RM-EGG-002", "FG-CAK-001"): 400,
                ("RM-SUG-001", "FG-CAK-001"): 60,
            },
        )
        receipts = {
            (self.env["stock.lot"].browse(m["lot_id"]).name, m["quantity"]): self.env["res.partner"]
            .browse(m["partner_id"])
            .name
            for m in result["movements"]
            if m["kind"] == "receipt"
        }
        self.assertEqual(receipts[("RM-FLR-001", 500)], "Golden Fields Mill")
        self.assertEqual(receipts[("RM-MLK-001", 200)], "Green Valley Dairy")
        self.assertEqual(receipts[("RM-EGG-002", 800)], "Sunny Hen Farm")

    def test_downstream_of_a_flour_lot_reaches_customers_with_quantities(self):
        result = self.genealogy.trace(self.lot["RM-FLR-001"].ids, "downstream")
        depths = {
            self.env["stock.lot"].browse(r["lot_id"]).name: r["depth"] for r in result["lots"]
        }
        self.assertEqual(
            depths, {"RM-FLR-001": 0, "WIP-DGH-001": 1, "FG-CAK-001": 1, "FG-COO-001": 2}
        )
        self.assertEqual(
            self._edges(result),
            {
                ("RM-FLR-001", "WIP-DGH-001"): 120,
                ("RM-FLR-001", "FG-CAK-001"): 60,
                ("WIP-DGH-001", "FG-COO-001"): 200,
            },
        )
        delivered = {}
        for move in result["movements"]:
            if move["kind"] == "delivery":
                key = (self.env["stock.lot"].browse(move["lot_id"]).name, move["partner_id"])
                delivered[key] = delivered.get(key, 0) + move["quantity"]
        customers = self.env["res.partner"].browse({partner for _lot, partner in delivered})
        self.assertEqual(len(customers), 13)
        hospital = customers.filtered(lambda p: p.name == "City Hospital Catering")
        supermart = customers.filtered(lambda p: p.name == "SuperMart Distribution")
        self.assertEqual(delivered[("FG-CAK-001", hospital.id)], 30)
        self.assertEqual(delivered[("FG-COO-001", supermart.id)], 60)
        self.assertEqual(sum(q for (lot, _p), q in delivered.items() if lot == "FG-CAK-001"), 280)
        self.assertEqual(sum(q for (lot, _p), q in delivered.items() if lot == "FG-COO-001"), 300)
        returns = [m for m in result["movements"] if m["kind"] == "customer_return"]
        self.assertEqual([(m["quantity"]) for m in returns], [10])
        on_hand = {
            (
                self.env["stock.lot"].browse(q["lot_id"]).name,
                self.env["stock.location"].browse(q["location_id"]).warehouse_id.code,
            ): q["quantity"]
            for q in result["on_hand"]
        }
        self.assertEqual(
            on_hand,
            {
                ("RM-FLR-001", "WH"): 320,
                ("FG-CAK-001", "WH"): 30,
                ("FG-COO-001", "WH"): 50,
                ("FG-COO-001", "RIV"): 50,
            },
        )

    def test_movements_are_the_lines_classified_from_their_moves_transfers_and_orders(self):
        """Each movement is its line classified from the inputs the line keeps: the same keys
        and values, in the query's order, as the line's move, transfer and orders classified
        now (``classify_sql``), a missing partner or order False (a line without transfer
        keeps None, as the query gives it)."""
        genealogy = self.env["lot.genealogy"]
        result = genealogy.trace(self.lot["RM-FLR-001"].ids)
        lot_ids = [row["lot_id"] for row in result["lots"]]
        lines = f"""
            SELECT ml.id, ml.lot_id, ml.date, ml.quantity_product_uom::float8 AS quantity,
                   ml.move_id, ml.location_id, ml.location_dest_id, ml.picking_id,
                   ml.reference, ml.company_id, {kind_sql()} AS kind
              FROM stock_move_line ml
              JOIN stock_location src ON src.id = ml.location_id
              JOIN stock_location dst ON dst.id = ml.location_dest_id
             WHERE ml.lot_id = ANY(%(lot_ids)s) AND ml.state = 'done'"""
        self.env.cr.execute(
            classify_sql(self.env, lines) + " ORDER BY line.id", genealogy._params(lot_ids)
        )
        expected = [
            dict(row, **{column: row[column] or False for column in CLASSIFIED_COLUMNS})
            for row in self.env.cr.dictfetchall()
        ]
        self.assertGreater(len(expected), 10)
        self.assertTrue(any(row["production_id"] for row in expected))
        self.assertEqual([list(row) for row in result["movements"]][0], list(expected[0]))
        self.assertEqual(sorted(result["movements"], key=lambda row: row["id"]), expected)

    def test_mass_balance_of_demo_lots(self):
        balance = self.genealogy.mass_balance(
            [self.lot[name].id for name in ("FG-CAK-001", "RM-MLK-001", "WIP-DGH-001")]
        )
        cake = balance[self.lot["FG-CAK-001"].id]
        self.assertEqual((cake["production"], cake["customer_return"], cake["in"]), (300, 10, 310))
        self.assertEqual((cake["delivery"], cake["out"], cake["on_hand"]), (280, 280, 30))
        self.assertEqual((cake["unaccounted"], cake["reconciliation"]), (0, 100))
        milk = balance[self.lot["RM-MLK-001"].id]
        self.assertEqual((milk["receipt"], milk["consumption"], milk["on_hand"]), (200, 120, 80))
        dough = balance[self.lot["WIP-DGH-001"].id]
        self.assertEqual(
            (dough["production"], dough["consumption"], dough["on_hand"]), (200, 200, 0)
        )
        self.assertEqual(dough["reconciliation"], 100)
        # The same figures on the lot, computed for a whole recordset at once.
        lots = self.lot["FG-CAK-001"] | self.lot["RM-MLK-001"]
        self.assertEqual(lots.mapped("balance_on_hand"), [30, 80])
        self.assertEqual(lots.mapped("balance_reconciliation"), [100, 100])

    def test_unaccounted_quantity_after_an_unrecorded_loss(self):
        """Stock removed without a movement (a quant edited in SQL) shows as unaccounted."""
        lot = self.lot["RM-FLR-002"]
        self.env.cr.execute(
            "UPDATE stock_quant SET quantity = quantity - 10 WHERE lot_id = %s AND quantity > 0",
            [lot.id],
        )
        self.env["stock.quant"].invalidate_model()
        balance = self.genealogy.mass_balance(lot.ids)[lot.id]
        self.assertEqual((balance["in"], balance["out"], balance["on_hand"]), (300, 90, 200))
        self.assertEqual(balance["unaccounted"], 10)
        self.assertAlmostEqual(balance["reconciliation"], 290 / 3, places=6)

    def test_rework_cycle_through_an_unbuild_order_terminates(self):
        """Unbuilding cakes recovers egg lots: eggs -> cake -> eggs is a cycle."""
        cake = self.lot["FG-CAK-002"]
        production = self.env["mrp.production"].search([("lot_producing_id", "=", cake.id)])
        unbuild = self.env["mrp.unbuild"].create(
            {
                "product_id": cake.product_id.id,
                "bom_id": production.bom_id.id,
                "mo_id": production.id,
                "lot_id": cake.id,
                "product_qty": 10,
                "product_uom_id": cake.product_id.uom_id.id,
            }
        )
        unbuild.action_unbuild()
        result = self.genealogy.trace(self.lot["RM-EGG-002"].ids, "downstream")
        edges = self._edges(result)
        self.assertEqual(edges[("RM-EGG-002", "FG-CAK-002")], 400)
        # The 10 unbuilt cakes went back into the egg lot (and the other recovered lots).
        self.assertEqual(edges[("FG-CAK-002", "RM-EGG-002")], 10)
        self.assertEqual(edges[("FG-CAK-002", "RM-FLR-002")], 10)
        unbuild_edges = [e for e in result["edges"] if e["kind"] == "unbuild"]
        self.assertEqual({e["order_ids"][0] for e in unbuild_edges}, set(unbuild.ids))
        depths = {
            self.env["stock.lot"].browse(r["lot_id"]).name: r["depth"] for r in result["lots"]
        }
        self.assertEqual((depths["RM-EGG-002"], depths["FG-CAK-002"]), (0, 1))
        self.assertEqual(len(result["lots"]), len(depths), "each lot is reached once")
        upstream = self.genealogy.trace(self.lot["RM-EGG-002"].ids, "upstream")
        self.assertIn("FG-CAK-002", self._names(r["lot_id"] for r in upstream["lots"]))

    def test_same_lot_name_on_another_product_is_a_different_lot(self):
        other = self.env["stock.lot"].create(
            {"name": "RM-FLR-001", "product_id": self.lot["RM-SUG-001"].product_id.id}
        )
        result = self.genealogy.trace(other.ids, "downstream")
        self.assertEqual(result["lots"], [{"lot_id": other.id, "depth": 0}])
        self.assertEqual((result["edges"], result["movements"]), ([], []))
        self.assertNotIn(
            other.id,
            [r["lot_id"] for r in self.genealogy.trace(self.lot["RM-FLR-001"].ids)["lots"]],
        )

    def test_only_lots_of_the_users_companies_are_traced(self):
        company_b = self.env["res.company"].create({"name": "Second Bakery"})
        product = (
            self.env["product.product"]
            .with_company(company_b)
            .create(
                {
                    "name": "Rye Flour",
                    "is_storable": True,
                    "tracking": "lot",
                    "company_id": company_b.id,
                }
            )
        )
        lot_b = (
            self.env["stock.lot"]
            .with_company(company_b)
            .create({"name": "RYE-001", "product_id": product.id, "company_id": company_b.id})
        )
        user_a = company_user(
            self.env,
            "trace_user_a",
            "stock.group_stock_user,stock.group_production_lot",
            self.env.company,
        )
        genealogy_a = self.genealogy.with_user(user_a)
        with self.assertRaises(AccessError):
            genealogy_a.trace(lot_b.ids)
        own = genealogy_a.trace(self.lot["RM-FLR-001"].ids)
        self.assertEqual(len(own["lots"]), 4)
        # A consumption link to a lot of the other company (bad or inter-company data) is
        # not followed for a user who cannot see that company.
        consumed_flour = self.env["stock.move.line"].search(
            [
                ("lot_id", "=", self.lot["RM-FLR-001"].id),
                ("location_dest_id.usage", "=", "production"),
            ],
            limit=1,
        )
        self.env.cr.execute(
            """
            INSERT INTO stock_move_line (move_id, company_id, product_id, product_uom_id, lot_id,
                   quantity, quantity_product_uom, location_id, location_dest_id, state, date)
            SELECT move_id, %s, %s, product_uom_id, %s, 5, 5, location_dest_id, location_id,
                   'done', date
              FROM stock_move_line WHERE id = %s
            RETURNING id
            """,
            [company_b.id, product.id, lot_b.id, consumed_flour.id],
        )
        (line_b,) = self.env.cr.fetchone()
        self.env.cr.execute(
            "INSERT INTO stock_move_line_consume_rel (consume_line_id, produce_line_id) "
            "VALUES (%s, %s)",
            [line_b, consumed_flour.id],
        )
        traced_by_a = genealogy_a.trace(self.lot["RM-FLR-001"].ids)["lots"]
        self.assertNotIn(lot_b.id, [r["lot_id"] for r in traced_by_a])
        both = self.genealogy.with_context(allowed_company_ids=[self.env.company.id, company_b.id])
        self.assertIn(
            lot_b.id, [r["lot_id"] for r in both.trace(self.lot["RM-FLR-001"].ids)["lots"]]
        )

    def _shared_lot_moved_by_company_a(self, customer_name="Customer of A"):
        """A lot of a product shared between companies (both without company), received
        (100) and delivered (40) by the current company only; a second company, and users
        allowed only in one of them."""
        company_a = self.env.company
        company_b = self.env["res.company"].create({"name": "Second Bakery"})
        product = self.env["product.product"].create(
            {"name": "Shared Salt", "is_storable": True, "tracking": "lot"}
        )
        lot = self.env["stock.lot"].create({"name": "SALT-001", "product_id": product.id})
        self.assertFalse(product.company_id or lot.company_id)
        main = self.env.ref("stock.warehouse0")
        self.assertEqual(main.company_id, company_a)
        demo = self.env["lot.traceability.demo"]
        supplier = self.env["res.partner"].create({"name": "Salt Works of A"})
        customer = self.env["res.partner"].create({"name": customer_name})
        demo._transfer(
            main.in_type_id,
            supplier,
            self.env.ref("stock.stock_location_suppliers"),
            main.lot_stock_id,
            [(lot, 100)],
            3,
        )
        demo._transfer(
            main.out_type_id,
            customer,
            main.lot_stock_id,
            self.env.ref("stock.stock_location_customers"),
            [(lot, 40)],
            2,
        )
        users = {
            company: company_user(
                self.env,
                f"trace_stock_user_{company.id}",
                "stock.group_stock_user,stock.group_production_lot",
                company,
            )
            for company in (company_a, company_b)
        }
        return lot, customer, users[company_a], users[company_b]

    def test_company_walls_on_a_lot_shared_between_companies(self):
        lot, customer, user_a, user_b = self._shared_lot_moved_by_company_a()
        # Company A's user sees its receipt, delivery and stock.
        balance_a = self.genealogy.with_user(user_a).mass_balance(lot.ids)[lot.id]
        self.assertEqual(
            (balance_a["in"], balance_a["delivery"], balance_a["on_hand"]), (100, 40, 60)
        )
        trace_a = self.genealogy.with_user(user_a).trace(lot.ids)
        self.assertEqual(
            {(m["kind"], m["partner_id"]) for m in trace_a["movements"] if m["kind"] == "delivery"},
            {("delivery", customer.id)},
        )
        # Company B's user may read the lot (it has no company) but sees nothing of A.
        genealogy_b = self.genealogy.with_user(user_b)
        for direction in ("downstream", "upstream"):
            result = genealogy_b.trace(lot.ids, direction)
            self.assertEqual(result["lots"], [{"lot_id": lot.id, "depth": 0}])
            self.assertEqual(
                (result["edges"], result["movements"], result["on_hand"]), ([], [], [])
            )
        balance_b = genealogy_b.mass_balance(lot.ids)[lot.id]
        self.assertEqual(
            (balance_b["in"], balance_b["out"], balance_b["on_hand"], balance_b["delivery"]),
            (0, 0, 0, 0),
        )
        lot_b = lot.with_user(user_b)
        self.assertEqual(
            (lot_b.balance_in, lot_b.balance_delivered, lot_b.balance_on_hand), (0, 0, 0)
        )
        action = lot_b.action_trace_downstream()
        trace_b = self.env["lot.trace"].with_user(user_b).browse(action["res_id"])
        self.assertFalse(trace_b.line_ids)
        self.assertEqual(trace_b.customer_count, 0)
        # A trace computed by A's user is not readable by B's user.
        trace_by_a = self.env["lot.trace"].browse(
            lot.with_user(user_a).action_trace_downstream()["res_id"]
        )
        self.assertIn(customer, trace_by_a.line_ids.partner_id)
        self.assertFalse(
            self.env["lot.trace.line"].with_user(user_b).search([("trace_id", "=", trace_by_a.id)])
        )
        with self.assertRaises(AccessError):
            trace_by_a.with_user(user_b).read(["line_ids"])

    def test_engine_checks_read_access_on_the_lots(self):
        lot, _customer, user_a, user_b = self._shared_lot_moved_by_company_a()
        lot_of_a = self.env["stock.lot"].create(
            {"name": "SALT-A", "product_id": lot.product_id.id, "company_id": user_a.company_id.id}
        )
        portal = new_test_user(self.env, login="trace_portal", groups="base.group_portal")
        for user, lots in ((portal, lot), (portal, lot_of_a), (user_b, lot_of_a)):
            genealogy = self.genealogy.with_user(user)
            with self.subTest(user=user.login, lot=lots.name):
                with self.assertRaises(AccessError):
                    genealogy.mass_balance(lots.ids)
                with self.assertRaises(AccessError):
                    genealogy.trace(lots.ids)

    def test_trace_exports_neutralise_formulas(self):
        name = '=HYPERLINK("http://x.example","a")'
        lot, _customer, user_a, _user_b = self._shared_lot_moved_by_company_a(customer_name=name)
        trace = (
            self.env["lot.trace"]
            .with_user(user_a)
            .browse(lot.with_user(user_a).action_trace_downstream()["res_id"])
        )
        rows = list(csv.reader(io.StringIO(trace._csv_content().decode("utf-8-sig"))))
        partners = [row[8] for row in rows if row[1] == "Delivery"]
        self.assertEqual(partners, ["'" + name])
        content = trace._xlsx_content()
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == name]
        self.assertEqual([cell.data_type for cell in cells], ["s"])
        with zipfile.ZipFile(io.BytesIO(content)) as xlsx:
            self.assertNotIn("<f>", xlsx.read("xl/worksheets/sheet1.xml").decode())

    def test_agrees_with_odoo_traceability_report(self):
        """Core's report, fully unfolded from a cake lot, shows the same lots and quantities."""
        lot = self.lot["FG-CAK-001"]
        report = self.env["stock.traceability.report"].with_context(
            active_id=lot.id, model="stock.lot"
        )
        core_consumed, todo, seen = {}, report.get_lines(), set()
        while todo:
            line = todo.pop()
            if line["model_id"] in seen:
                continue
            seen.add(line["model_id"])
            move_line = self.env["stock.move.line"].browse(line["model_id"])
            if move_line.move_id.raw_material_production_id:
                key = move_line.lot_id.name
                core_consumed[key] = core_consumed.get(key, 0) + move_line.quantity
            if line["unfoldable"]:
                todo += report.get_lines(
                    line_id=line["id"],
                    model_id=line["model_id"],
                    model_name=line["model"],
                    level=line["level"] + 1,
                )
        ours = {
            in_lot: quantity
            for (in_lot, _out), quantity in self._edges(
                self.genealogy.trace(lot.ids, "upstream")
            ).items()
        }
        self.assertEqual(core_consumed, ours)

    def test_trace_wizard_lines_and_exports(self):
        action = self.lot["RM-FLR-001"].action_trace_downstream()
        trace = self.env["lot.trace"].browse(action["res_id"])
        self.assertEqual(trace.customer_count, 13)
        self.assertEqual(trace.delivered_line_count, 13)
        transformations = trace.line_ids.filtered(lambda line: line.kind == "transformation")
        self.assertEqual(
            {(t.related_lot_id.name, t.lot_id.name, t.quantity) for t in transformations},
            {
                ("RM-FLR-001", "WIP-DGH-001", 120),
                ("RM-FLR-001", "FG-CAK-001", 60),
                ("WIP-DGH-001", "FG-COO-001", 200),
            },
        )
        self.assertEqual(len(trace.reached_lot_ids), 4)
        rows = list(csv.reader(io.StringIO(trace._csv_content().decode("utf-8-sig"))))
        self.assertEqual(rows[0][:3], ["Level", "Kind", "Lot"])
        self.assertEqual(len(rows), len(trace.line_ids) + 1)
        self.assertIn(["2", "Delivery", "FG-COO-001"], [row[:3] for row in rows])
        sheet = openpyxl.load_workbook(io.BytesIO(trace._xlsx_content())).active
        values = [[cell.value for cell in row] for row in sheet.iter_rows()]
        self.assertEqual(len(values), len(trace.line_ids) + 1)
        self.assertEqual(values[0][:3], ["Level", "Kind", "Lot"])
        self.assertIn("SuperMart Distribution", [row[8] for row in values])
        download = trace.action_export_csv()
        self.assertTrue(download["url"].startswith("/web/content/"))
        customers = self.lot["FG-CAK-001"].action_trace_customers()
        lines = self.env["lot.trace.line"].search(customers["domain"])
        self.assertEqual(len(lines.filtered(lambda line: line.kind == "delivery").partner_id), 6)
        balance = self.lot["FG-CAK-001"].action_mass_balance()
        self.assertEqual(
            self._names(balance["domain"][0][2]),
            {
                "FG-CAK-001",
                "RM-FLR-001",
                "RM-FLR-002",
                "RM-MLK-001",
                "RM-EGG-001",
                "RM-EGG-002",
                "RM-SUG-001",
            },
        )
