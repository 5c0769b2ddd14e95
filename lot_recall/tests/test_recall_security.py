from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestRecallSecurity(RecallCase):
    """Recall Managers act, Recall Users read, others see nothing; one company's recalls
    stay in that company."""

    def test_recall_user_reads_but_cannot_act(self):
        recall = self._scoped()
        as_reader = recall.with_user(self.reader)
        self.assertEqual(as_reader.name, recall.name)
        self.assertEqual(len(as_reader.customer_ids), 13)
        self.assertEqual(len(as_reader.delivery_line_ids.mapped("lot_id")), 2)
        self.assertEqual(
            [
                (group["product"].default_code, group["base"])
                for group in as_reader._effectiveness()["products"]
            ],
            [("FG-CAK", 300), ("FG-COO", 400), ("RM-FLR", 320), ("WIP-DGH", 0)],
        )
        # Everything the form shows can be read with Inventory / User rights.
        as_reader.invalidate_recordset()
        values = as_reader.read(
            [
                "quant_ids",
                "reserved_move_line_ids",
                "open_sale_line_ids",
                "production_ids",
                "lot_line_ids",
                "return_picking_ids",
                "recovered_percent",
            ]
        )[0]
        self.assertEqual(len(values["quant_ids"]), 4)
        self.assertEqual(sum(as_reader.lot_line_ids.mapped("qty_on_hand")), 450)
        for action in (
            "action_compute_scope",
            "action_start",
            "action_block_stock",
            "action_notify_customers",
            "action_create_returns",
            "action_review_effectiveness",
            "action_close",
            "action_cancel",
        ):
            with (
                self.subTest(action=action),
                self.assertRaisesRegex(AccessError, "Only Recall Managers can act"),
            ):
                getattr(as_reader, action)()
        with self.assertRaises(AccessError):
            as_reader.reason = "Changed"
        with self.assertRaises(AccessError):
            as_reader.customer_ids[0].destroyed_quantity = 5
        with self.assertRaises(AccessError):
            self.env["lot.recall"].with_user(self.reader).create(
                {"reason": "x", "scope_lot_ids": [Command.set(self.cake.ids)]}
            )
        with self.assertRaises(AccessError):
            self.env["lot.recall.start"].with_user(self.reader).create(
                {"reason": "x", "lot_ids": [Command.set(self.cake.ids)]}
            )
        self.assertEqual(recall.state, "scoped")
        self.assertEqual(set(recall.affected_lot_ids.mapped("lot_status")) & {"recalled"}, set())

    def test_recall_manager_runs_the_whole_recall(self):
        """A Recall Manager without any other stock or quality right blocks and returns."""
        recall = self._scoped()
        recall.action_start()
        recall.action_block_stock()
        recall.action_notify_customers()
        recall.action_create_returns()
        self.assertEqual(recall.state, "in_progress")
        self.assertEqual(set(recall.affected_lot_ids.mapped("lot_status")), {"recalled"})
        self.assertEqual(len(recall.return_picking_ids), 13)

    def test_stock_user_without_recall_group_sees_no_recall(self):
        recall = self._scoped()
        clerk = new_test_user(self.env, login="stock_clerk_test", groups="stock.group_stock_user")
        with self.assertRaises(AccessError):
            recall.with_user(clerk).read(["name"])
        self.assertNotIn("lot_recall_count", self.hospital.with_user(clerk).fields_get())

    def test_customer_smart_button(self):
        hospital = self.hospital.with_user(self.reader)
        supermart = self.supermart.with_user(self.reader)
        # The demo mock recall may count already.
        before = {partner: partner.lot_recall_count for partner in (hospital, supermart)}
        recall = self._scoped()
        self._scoped(self.dough)
        hospital.invalidate_recordset()
        supermart.invalidate_recordset()
        self.assertEqual(hospital.lot_recall_count, before[hospital] + 1)
        self.assertEqual(supermart.lot_recall_count, before[supermart] + 2)
        action = hospital.action_view_lot_recalls()
        self.assertIn(recall, self.env["lot.recall"].search(action["domain"]))
        self.assertEqual(
            self.env["lot.recall"].search_count(action["domain"]), hospital.lot_recall_count
        )

    def test_other_company_recall_is_not_visible(self):
        company_b = self.env["res.company"].create({"name": "Recall Test Company B"})
        self.env.user.company_ids |= company_b
        recall_b = (
            self.env["lot.recall"]
            .with_company(company_b)
            .create(
                {
                    "reason": "B only",
                    "company_id": company_b.id,
                    "scope_lot_ids": [Command.set(self.cake.ids)],
                }
            )
        )
        recall_b.action_compute_scope()
        before = self.hospital.with_user(self.reader).lot_recall_count
        recall_a = self._scoped()
        self.assertEqual(self.manager.company_ids, self.env.company)
        visible = self.env["lot.recall"].with_user(self.manager).search([])
        self.assertIn(recall_a, visible)
        self.assertNotIn(recall_b, visible)
        with self.assertRaises(AccessError):
            recall_b.with_user(self.manager).read(["name"])
        lines = self.env["lot.recall.delivery"].with_user(self.manager).search([])
        self.assertNotIn(recall_b, lines.recall_id)
        customers = self.env["lot.recall.customer"].with_user(self.manager).search([])
        self.assertNotIn(recall_b, customers.recall_id)
        self.assertEqual(self.hospital.with_user(self.reader).lot_recall_count, before + 1)
        # Once the user may work in company B, its recall shows.
        self.manager.company_ids |= company_b
        visible = (
            self.env["lot.recall"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=(self.env.company | company_b).ids)
            .search([])
        )
        self.assertIn(recall_b, visible)

    def test_recall_keeps_to_its_company(self):
        """Company B received and delivered cookie lot FG-COO-001 (a lot shared by both
        companies) and received flour with supplier lot GFM-24117 too: a recall of company
        A, scoped by a manager working in A and B at once, covers none of it."""
        company_a = self.env.company
        company_b = self.env["res.company"].create({"name": "Recall Wall Company B"})
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)])
        customer_b = self.env["res.partner"].create(
            {"name": "B-only Customer", "email": "b@example.com", "company_id": company_b.id}
        )
        # A lot without company, as the demo's: shared by both companies.
        flour_b = self.env["stock.lot"].create(
            {
                "name": "B-FLR-001",
                "product_id": self.flour.product_id.id,
                "supplier_lot": "GFM-24117",
            }
        )
        flour_b_own = self.env["stock.lot"].create(
            {
                "name": "B-FLR-002",
                "product_id": self.flour.product_id.id,
                "company_id": company_b.id,
                "supplier_lot": "GFM-24117",
            }
        )
        flows = self.env["lot.traceability.demo"].with_company(company_b)
        flows._transfer(
            warehouse_b.in_type_id,
            self.env["res.partner"].create({"name": "B Supplier", "company_id": company_b.id}),
            self.env.ref("stock.stock_location_suppliers"),
            warehouse_b.lot_stock_id,
            [(self.cookies, 20), (flour_b, 100)],
            3,
        )
        delivery_b = flows._transfer(
            warehouse_b.out_type_id,
            customer_b,
            warehouse_b.lot_stock_id,
            self.env.ref("stock.stock_location_customers"),
            [(self.cookies, 15)],
            1,
        )
        sale_b = (
            self.env["sale.order"]
            .with_company(company_b)
            .create(
                {
                    "partner_id": customer_b.id,
                    "order_line": [
                        Command.create(
                            {"product_id": self.cookies.product_id.id, "product_uom_qty": 5}
                        )
                    ],
                }
            )
        )
        sale_b.action_confirm()
        self.assertEqual(sale_b.picking_ids.move_line_ids.lot_id, self.cookies)
        manager = self.manager
        manager.company_ids |= company_b
        recall = (
            self.env["lot.recall"]
            .with_user(manager)
            .with_context(allowed_company_ids=(company_a | company_b).ids)
            .create(
                {
                    "reason": "Salmonella",
                    "scope_type": "supplier_lots",
                    "scope_supplier_lot_names": "GFM-24117",
                    "relocate_stock": True,
                }
            )
        )
        self.assertEqual(recall.company_id, company_a)
        recall.action_compute_scope()
        self.assertEqual(recall.scope_lot_ids, self.flour)
        self.assertFalse((flour_b | flour_b_own) & recall.affected_lot_ids)
        self.assertEqual(len(recall.customer_ids), 13)
        self.assertNotIn(customer_b, recall.customer_ids.partner_id)
        self.assertNotIn(delivery_b, recall.delivery_line_ids.picking_id)
        self.assertEqual(sum(recall.delivery_line_ids.mapped("quantity")), 580)
        # The tabs read live: stock, reservations and sales of company A only.
        self.assertEqual(recall.quant_ids.company_id, company_a)
        self.assertEqual(sum(recall.quant_ids.mapped("quantity")), 450)
        self.assertFalse(sale_b.order_line & recall.open_sale_line_ids)
        self.assertFalse(sale_b.picking_ids.move_line_ids & recall.reserved_move_line_ids)
        # The Recall User of A reads A's deliveries and customers only.
        as_reader = recall.with_user(self.reader)
        self.assertNotIn(delivery_b, as_reader.delivery_line_ids.picking_id)
        self.assertNotIn(customer_b, as_reader.delivery_line_ids.address_id)
        self.assertEqual(as_reader.delivery_line_ids.picking_id.company_id, company_a)
        # Blocking moves A's stock to A's quarantine; B's stock stays where it is (B's
        # warehouse has no quarantine location).
        recall.action_block_stock()
        quants_b = self.env["stock.quant"].search(
            [("lot_id", "=", self.cookies.id), ("company_id", "=", company_b.id)]
        )
        self.assertEqual(quants_b.location_id, warehouse_b.lot_stock_id)
        recall.invalidate_recordset(["quant_ids"])
        self.assertEqual(set(recall.quant_ids.location_id.mapped("name")), {"Quarantine"})
        # Notifying and returning reach A's customers only.
        recall.action_notify_customers()
        notified = recall.message_ids.filtered(
            lambda message: (
                message.subtype_id == self.env.ref("lot_recall.mt_recall_customer_notice")
            )
        ).partner_ids
        self.assertEqual(len(notified), 13)
        self.assertNotIn(customer_b, notified)
        recall.action_create_returns()
        self.assertEqual(recall.return_picking_ids.company_id, company_a)
        self.assertNotIn(customer_b, recall.return_picking_ids.partner_id)
        # A recall of company A cannot be scoped on company B's lots.
        with self.assertRaises(UserError):
            recall = (
                self.env["lot.recall"]
                .with_user(manager)
                .with_context(allowed_company_ids=(company_a | company_b).ids)
                .create({"reason": "B lot", "scope_lot_ids": [Command.set(flour_b_own.ids)]})
            )
            recall.action_compute_scope()

    def test_return_links_are_set_by_create_returns_only(self):
        """A return is linked to a recall and its customer by *Create Returns* only: an
        Inventory user of either company cannot link a transfer to a recall, or to a
        customer line of another company's recall."""
        recall = self._scoped()
        recall.action_create_returns()
        customer = self._customer(recall, self.hospital)
        linked = customer.return_picking_ids
        self.assertTrue(linked)
        clerk = new_test_user(self.env, login="recall_link_clerk", groups="stock.group_stock_user")
        nord_user = self.env.ref("lot_traceability.user_nord")
        picking = self.env["stock.picking"].search(
            [("company_id", "=", self.env.company.id), ("lot_recall_id", "=", False)], limit=1
        )
        picking_nord = self.env["stock.picking"].search(
            [("company_id", "=", nord_user.company_id.id)], limit=1
        )
        for user, target in ((clerk, picking), (nord_user, picking_nord)):
            for vals in (
                {"lot_recall_customer_id": customer.id},
                {"lot_recall_id": recall.id},
            ):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    target.with_user(user).write(vals)
        with self.assertRaises(AccessError):
            linked.with_user(clerk).write({"lot_recall_customer_id": False})
        with self.assertRaises(AccessError):
            self.env["stock.picking"].with_user(clerk).create(
                {
                    "picking_type_id": picking.picking_type_id.id,
                    "lot_recall_customer_id": customer.id,
                }
            )
        self.assertFalse(picking.lot_recall_customer_id or picking_nord.lot_recall_customer_id)
        self.assertEqual(customer.return_picking_ids, linked)

    def test_mock_recall_target_refuses_nan_and_infinity(self):
        """JSON-RPC accepts NaN and Infinity: a Recall Manager cannot set them as the mock
        recall's target, which would pass the positive check (NaN is no number)."""
        recall = self._recall(kind="mock").with_user(self.manager)
        for value in (float("nan"), float("inf")):
            with self.subTest(value=value), self.assertRaises(ValidationError):
                recall.write({"mock_target_hours": value})
        recall.action_compute_scope()
        self.assertEqual(recall.mock_result, "passed")

    def test_responsible_is_a_user_of_the_recall_company(self):
        """Customer emails go out from the recall's responsible, with his signature: a
        user allowed only in another company, or who is no Recall User, cannot be made
        responsible of a recall."""
        nord_user = self.env.ref("lot_traceability.user_nord")
        self.assertNotIn(self.env.company, nord_user.company_ids)
        with self.assertRaises(UserError):
            self._recall(user_id=nord_user.id)
        recall = self._recall()
        with self.assertRaises(UserError):
            recall.with_user(self.manager).user_id = nord_user
        self.assertEqual(recall.user_id, self.manager)
        # Nor a user of the company who is no Recall User: the notices go out in his name
        # and the customers' replies to him.
        clerk = new_test_user(
            self.env, login="recall_responsible_clerk", groups="stock.group_stock_user"
        )
        with (
            self.assertRaisesRegex(ValidationError, "must be a Recall User"),
            self.env.cr.savepoint(),
        ):
            recall.with_user(self.manager).user_id = clerk
        with self.assertRaisesRegex(ValidationError, "must be a Recall User"):
            self._recall(user_id=clerk.id)
        self.assertEqual(recall.user_id, self.manager)
