from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestRecallActions(RecallCase):
    """Blocking stock, notifying customers, returns, responses and the recall's states."""

    def _notices(self, recall):
        subtype = self.env.ref("lot_recall.mt_recall_customer_notice")
        return recall.message_ids.filtered(lambda message: message.subtype_id == subtype)

    def test_block_stock_recalls_every_affected_lot_and_unreserves_it(self):
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.brussels.id,
                "order_line": [
                    (0, 0, {"product_id": self.cookies.product_id.id, "product_uom_qty": 5})
                ],
            }
        )
        sale.action_confirm()
        move = sale.picking_ids.move_ids
        move._do_unreserve()
        self.env["stock.move.line"].create(
            dict(move._prepare_move_line_vals(quantity=5), lot_id=self.cookies.id)
        )
        recall = self._scoped()
        self.assertTrue(recall.reserved_move_line_ids)
        recall.action_block_stock()
        self.assertEqual(recall.state, "in_progress")
        self.assertTrue(recall.date_blocked)
        self.assertEqual(set(recall.affected_lot_ids.mapped("lot_status")), {"recalled"})
        self.assertEqual(self.cake_2.lot_status, "released")
        self.assertFalse(move.move_line_ids)
        recall.invalidate_recordset(["reserved_move_line_ids"])
        self.assertFalse(recall.reserved_move_line_ids)
        self.assertIn(recall.name, self.cake.lot_status_reason)
        # Blocking again leaves the lots already recalled alone.
        recall.action_block_stock()
        # Releasing a lot again goes through lot_fefo's status change.
        self.cake._lot_set_status("released", "Tested negative")
        self.assertEqual(self.cake.lot_status, "released")
        self.assertEqual(self.cookies.lot_status, "recalled")

    def test_block_stock_can_move_it_to_quarantine(self):
        for warehouse in self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)]
        ):
            warehouse.lot_quarantine_location_id = self.env["stock.location"].create(
                {"name": "Quarantine", "location_id": warehouse.view_location_id.id}
            )
        recall = self._scoped(relocate_stock=True)
        recall.action_block_stock()
        recall.invalidate_recordset(["quant_ids"])
        locations = recall.quant_ids.filtered(lambda quant: quant.quantity > 0).location_id
        self.assertEqual(set(locations.mapped("name")), {"Quarantine"})
        self.assertEqual(sum(recall.quant_ids.mapped("quantity")), 450)

    def test_notify_sends_each_customer_only_its_deliveries(self):
        recall = self._scoped()
        recall.action_notify_customers()
        notices = self._notices(recall)
        self.assertEqual(len(notices), 13)
        self.assertEqual(recall.state, "in_progress")
        hospital = self._customer(recall, self.hospital)
        supermart = self._customer(recall, self.supermart)
        self.assertTrue(hospital.notified_date)
        notice = notices.filtered(lambda message: message.partner_ids == self.hospital)
        self.assertEqual(len(notice), 1)
        self.assertIn(recall.name, notice.subject)
        body = str(notice.body)
        self.assertIn("FG-CAK-001", body)
        self.assertIn(hospital.delivery_line_ids.picking_id.name, body)
        self.assertIn("Salmonella found in supplier flour", body)
        self.assertIn("Stop selling", body)
        # Nothing of the other customers, nor the unaffected cake lot of the same delivery.
        self.assertNotIn("FG-COO-001", body)
        self.assertNotIn("FG-CAK-002", body)
        self.assertNotIn(supermart.delivery_line_ids.picking_id.name, body)
        self.assertNotIn(self.supermart.name, body)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", notice.id)])
        self.assertEqual(mail.recipient_ids, self.hospital)
        self.assertIn("FG-CAK-001", str(mail.body_html))
        self.assertNotIn("FG-COO-001", str(mail.body_html))
        # Logged on the customer, linked to the recall.
        self.assertTrue(
            any(recall.name in str(message.body) for message in self.hospital.message_ids)
        )
        with self.assertRaisesRegex(UserError, "notified already"):
            recall.action_notify_customers()

    def test_customers_without_email_are_listed_not_skipped_silently(self):
        self.hotel.email = False
        recall = self._scoped()
        recall.action_notify_customers()
        self.assertEqual(len(self._notices(recall)), 12)
        self.assertFalse(self._customer(recall, self.hotel).notified_date)
        self.assertIn(self.hotel.name, str(recall.message_ids[0].body))

    def test_create_returns_of_delivered_affected_lots(self):
        recall = self._scoped()
        recall.action_block_stock()
        action = recall.action_create_returns()
        returns = recall.return_picking_ids
        self.assertEqual(action["domain"], [("lot_recall_id", "=", recall.id)])
        self.assertEqual(len(returns), 13)
        self.assertEqual(set(returns.mapped("state")), {"assigned"})
        hospital = self._customer(recall, self.hospital)
        hospital_return = hospital.return_picking_ids
        self.assertEqual(len(hospital_return), 1)
        self.assertEqual(hospital_return.lot_recall_id, recall)
        self.assertEqual(hospital_return.partner_id, self.hospital)
        # Only the affected lot of the delivery, with its delivered quantity.
        self.assertEqual(
            [(line.lot_id, line.quantity) for line in hospital_return.move_line_ids],
            [(self.cake, 30)],
        )
        # The Green Grocer had returned 10 of its 50 already: 40 are asked back.
        grocer = self._customer(recall, self.grocer)
        self.assertEqual(grocer.return_picking_ids.move_line_ids.quantity, 40)
        self.assertEqual(grocer.returned_quantity, 10)
        self.assertEqual(sum(returns.move_line_ids.mapped("quantity")), 570)
        with self.assertRaisesRegex(UserError, "left to return"):
            recall.action_create_returns()
        # Returned quantities follow the validated returns.
        grocer.return_picking_ids.button_validate()
        hospital_return.button_validate()
        grocer.invalidate_recordset()
        hospital.invalidate_recordset()
        self.assertEqual(grocer.returned_quantity, 50)
        self.assertEqual(grocer.outstanding_quantity, 0)
        self.assertEqual(grocer.recovered_percent, 100)
        self.assertEqual(hospital.returned_quantity, 30)
        self.assertEqual(self.cake.lot_status, "recalled")

    def test_customer_responses_are_noted_on_the_recall(self):
        recall = self._scoped()
        hotel = self._customer(recall, self.hotel)
        hotel.with_user(self.manager).write(
            {"response": "destroyed", "destroyed_quantity": 50, "response_note": "Binned"}
        )
        self.assertIn("Hotel Lumière", str(recall.message_ids[0].body))
        self.assertEqual(hotel.outstanding_quantity, 0)
        self.assertEqual(hotel.recovered_percent, 100)

    def test_mock_recall_never_blocks_mails_or_returns(self):
        mails_before = self.env["mail.mail"].search_count([])
        pickings_before = self.env["stock.picking"].search_count([])
        recall = self._scoped(kind="mock", relocate_stock=True)
        statuses = recall.affected_lot_ids.mapped("lot_status")
        recall.action_start()
        recall.action_block_stock()
        recall.action_notify_customers()
        recall.action_create_returns()
        self.assertEqual(recall.affected_lot_ids.mapped("lot_status"), statuses)
        self.assertNotIn("recalled", statuses)
        self.assertFalse(self._notices(recall))
        self.assertFalse(recall.customer_ids.filtered("notified_date"))
        self.assertEqual(self.env["mail.mail"].search_count([]), mails_before)
        self.assertEqual(self.env["stock.picking"].search_count([]), pickings_before)
        self.assertFalse(recall.return_picking_ids)
        self.assertTrue(recall.date_blocked and recall.date_notified and recall.date_returns)
        bodies = " ".join(str(body) for body in recall.message_ids.mapped("body"))
        self.assertIn("would be blocked", bodies)
        self.assertIn("13 customer emails prepared, none sent", bodies)
        self.assertIn("13 return transfers would be created", bodies)

    def test_state_rules(self):
        recall = self._recall()
        with self.assertRaisesRegex(UserError, "Draft"):
            recall.action_start()
        with self.assertRaisesRegex(UserError, "Scoped and In Progress"):
            recall.action_block_stock()
        recall.action_compute_scope()
        recall.action_start()
        with self.assertRaisesRegex(
            UserError, "review its effectiveness and record the corrective"
        ):
            recall.action_close()
        recall.action_review_effectiveness()
        self.assertTrue(recall.effectiveness_reviewed)
        self.assertEqual(recall.effectiveness_reviewer_id, self.manager)
        with self.assertRaisesRegex(UserError, "record the corrective action"):
            recall.action_close()
        recall.corrective_action = "<p>Supplier audit; incoming flour tested per lot.</p>"
        recall.action_close()
        self.assertEqual(recall.state, "closed")
        self.assertTrue(recall.date_closed)
        with self.assertRaises(UserError):
            recall.action_cancel()
        with self.assertRaisesRegex(UserError, "closed or cancelled"):
            recall.customer_ids[0].response = "acknowledged"
        with self.assertRaisesRegex(UserError, "draft or cancelled"):
            recall.unlink()
        other = self._scoped()
        other.action_cancel()
        self.assertEqual(other.state, "cancelled")
        other.unlink()

    def test_workflow_is_enforced_on_the_server(self):
        """States change only through the actions; the scope is frozen once started."""
        recall = self._scoped()
        recall.action_start()
        with self.assertRaises(AccessError):
            recall.write({"state": "closed"})
        with self.assertRaises(AccessError):
            recall.write({"effectiveness_reviewed": True, "reviewed_recovered_percent": 100})
        with self.assertRaises(AccessError):
            recall.write({"affected_lot_ids": [Command.set(self.cake_2.ids)]})
        with self.assertRaisesRegex(UserError, "scope of a recall cannot change"):
            recall.write({"scope_lot_ids": [Command.set(self.cake_2.ids)]})
        with self.assertRaises(AccessError):
            recall.write({"date_started": recall.date_traced})
        with self.assertRaises(AccessError):
            recall.write({"lot_line_ids": [Command.create({"lot_id": self.cake_2.id})]})
        with self.assertRaises(AccessError):
            self.env["lot.recall.lot"].with_user(self.manager).create(
                {"recall_id": recall.id, "lot_id": self.cake_2.id}
            )
        with self.assertRaises(AccessError):
            recall.lot_line_ids[:1].unlink()
        with self.assertRaises(AccessError):
            recall.delivery_line_ids[:1].unlink()
        with self.assertRaises(AccessError):
            recall.customer_ids[:1].unlink()
        hospital = self._customer(recall, self.hospital)
        with self.assertRaises(AccessError):
            hospital.write({"delivered_quantity": 0})
        with self.assertRaises(AccessError):
            hospital.write({"recall_id": self._recall().id})
        with self.assertRaises(AccessError):
            self.env["lot.recall"].with_user(self.manager).create(
                {"reason": "Closed at once", "state": "closed", "scope_lot_ids": self.cake.ids}
            )
        self.assertEqual(recall.state, "in_progress")
        self.assertEqual(len(recall.lot_line_ids), 4)
        self.assertEqual(len(recall.delivery_line_ids), 13)
        self.assertFalse(recall.effectiveness_reviewed)
        # The customer's response is what a manager may still write.
        hospital.write({"response": "acknowledged", "response_note": "Checked"})
        self.assertEqual(hospital.response, "acknowledged")
        with self.assertRaisesRegex(UserError, "review its effectiveness"):
            recall.action_close()
        recall.action_review_effectiveness()
        recall.corrective_action = "<p>Flour tested at every receipt.</p>"
        recall.action_close()
        self.assertEqual(recall.state, "closed")
        with self.assertRaises(AccessError):
            recall.write({"state": "in_progress"})

    def test_one_return_per_customer_holds_all_its_deliveries(self):
        """A customer delivered affected lots twice gets one return transfer (one truck),
        with one move per delivered move, each linked to its delivery, refunding it."""
        quant = self.cake.quant_ids.filtered(lambda q: q.location_id.usage == "internal")[:1]
        warehouse = quant.location_id.warehouse_id
        self.env["lot.traceability.demo"]._deliver(warehouse, self.corner, [(self.cake, 5)], 0)
        recall = self._scoped()
        recall.with_user(self.manager).action_create_returns()
        corner = self._customer(recall, self.corner)
        returned = corner.return_picking_ids
        self.assertEqual(len(returned), 1)
        self.assertEqual(len(recall.return_picking_ids), 13)
        self.assertEqual(returned.state, "assigned")
        self.assertEqual(returned.partner_id, self.corner)
        delivered_moves = corner.delivery_line_ids.move_line_id.move_id
        self.assertEqual(len(delivered_moves), 2)
        self.assertEqual(returned.move_ids.origin_returned_move_id, delivered_moves)
        self.assertEqual(
            sorted(returned.move_line_ids.mapped("quantity")),
            sorted(corner.delivery_line_ids.mapped("quantity")),
        )
        self.assertIn(5, returned.move_line_ids.mapped("quantity"))
        self.assertEqual(returned.move_line_ids.lot_id, self.cake)
        self.assertTrue(all(returned.move_ids.mapped("to_refund")))
        for line in corner.delivery_line_ids:
            self.assertEqual(line.return_move_id.picking_id, returned)
            self.assertEqual(line.return_move_id.origin_returned_move_id, line.move_line_id.move_id)
            self.assertIn(line.move_line_id.move_id, line.return_move_id.move_orig_ids)

    def test_returns_are_not_created_twice(self):
        """Returns unreserved, or in any state but cancelled, are not created again."""
        recall = self._scoped()
        recall.action_create_returns()
        returns = recall.return_picking_ids
        self.assertEqual(len(returns), 13)
        returns.with_user(self.manager).do_unreserve()
        self.assertFalse(returns.move_line_ids)
        with self.assertRaisesRegex(UserError, "left to return"):
            recall.action_create_returns()
        recall.invalidate_recordset(["return_picking_ids"])
        self.assertEqual(recall.return_picking_ids, returns)
        # A cancelled return is created again, alone.
        hospital = self._customer(recall, self.hospital)
        hospital.return_picking_ids.action_cancel()
        recall.action_create_returns()
        recall.invalidate_recordset(["return_picking_ids"])
        again = recall.return_picking_ids - returns
        self.assertEqual(len(again), 1)
        self.assertEqual(again.partner_id, self.hospital)
        self.assertEqual(
            [(line.lot_id, line.quantity) for line in again.move_line_ids], [(self.cake, 30)]
        )
