from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from ..hooks import fill_quant_lot_status
from ..tools.status import LOT_STATUSES, USABLE_STATUSES
from .common import LotStatusCase

STATUSES = [key for key, _label in LOT_STATUSES]


@tagged("post_install", "-at_install")
class TestLotStatus(LotStatusCase):
    """Status values, transition rules, chatter, access, wizard, release at receipt and
    relocation to quarantine."""

    def _restrict_kwargs(self, status):
        return {"partners": self.customer} if status == "restricted" else {}

    # ------------------------------------------------------------------ transitions

    def test_every_transition_between_different_statuses(self):
        lot = self.lot_a
        for old in STATUSES:
            for new in STATUSES:
                if new == old:
                    continue
                with self.subTest(old=old, new=new):
                    if lot.lot_status != old:
                        self._set_status(lot, old, **self._restrict_kwargs(old))
                    self._set_status(lot, new, **self._restrict_kwargs(new))
                    self.assertEqual(lot.lot_status, new)
                    self.assertEqual(lot.lot_status_reason, f"test: {new}")
                    self.assertEqual(
                        lot.lot_restricted_partner_ids,
                        self.customer if new == "restricted" else self.env["res.partner"],
                    )

    def test_same_status_is_refused(self):
        for status in STATUSES:
            with self.subTest(status=status):
                kwargs = self._restrict_kwargs(status)
                if self.lot_a.lot_status != status:
                    self._set_status(self.lot_a, status, **kwargs)
                with self.assertRefused(UserError, "ST-A .*already"):
                    self._set_status(self.lot_a, status, **kwargs)

    def test_restricted_needs_a_partner_or_operation_and_may_change_them(self):
        with self.assertRefused(UserError, "at least one partner or operation type"):
            self._set_status(self.lot_a, "restricted")
        with self.assertRefused(UserError, "Only restricted lots"):
            self._set_status(self.lot_a, "blocked", partners=self.customer)
        self._set_status(self.lot_a, "restricted", picking_types=self.warehouse.manu_type_id)
        self.assertEqual(self.lot_a.lot_restricted_picking_type_ids, self.warehouse.manu_type_id)
        # still restricted, to other partners: a change, recorded
        self._set_status(self.lot_a, "restricted", partners=self.customer | self.other_customer)
        self.assertEqual(self.lot_a.lot_restricted_partner_ids, self.customer | self.other_customer)
        self.assertFalse(self.lot_a.lot_restricted_picking_type_ids)

    def test_reason_and_known_status_are_required(self):
        with self.assertRefused(UserError, "Give the reason"):
            self.lot_a._lot_set_status("blocked", "   ")
        with self.assertRefused(UserError, "Unknown lot status"):
            self.lot_a._lot_set_status("lost", "no idea")
        with self.assertRefused(UserError, "Only lots taken out of use"):
            self.lot_a._lot_set_status("released", "back", relocate=True)
        self.assertEqual(self.lot_a.lot_status, "released")

    def test_expired_lot_cannot_be_released_or_restricted(self):
        yesterday = fields.Datetime.now() - timedelta(days=2)
        lot = self._lot("ST-OLD", expiration_date=yesterday)
        # status expired may be set by hand, and quarantine or blocked too
        self._set_status(lot, "expired")
        self._set_status(lot, "blocked")
        for status in USABLE_STATUSES:
            with self.subTest(status=status):
                with self.assertRefused(UserError, "ST-OLD .*past the expiration date"):
                    self._set_status(lot, status, **self._restrict_kwargs(status))
        self.assertEqual(lot.lot_status, "blocked")
        # once the expiration date is corrected the lot can be released
        lot.expiration_date = fields.Datetime.now() + timedelta(days=10)
        self._set_status(lot, "released")
        self.assertEqual(lot.lot_status, "released")

    def test_direct_writes_of_the_status_are_refused(self):
        lot = self.lot_a.with_user(self.quality_manager)
        with self.assertRefused(UserError, "status buttons"):
            lot.lot_status = "blocked"
        with self.assertRefused(UserError, "status buttons"):
            lot.lot_restricted_partner_ids = self.customer
        # writing the current value (e.g. an import of unchanged lots) is harmless
        lot.write({"lot_status": "released", "ref": "R1"})
        self.assertEqual(self.lot_a.ref, "R1")

    # ------------------------------------------------------------------ chatter

    def test_each_change_logs_old_new_reason_user_and_time(self):
        lots = self.lot_a | self.lot_b
        self._set_status(self.lot_b, "quarantine")
        before = fields.Datetime.now().replace(microsecond=0)
        lots.with_user(self.quality_manager)._lot_set_status("blocked", "Glass splinter found")
        for lot, old_label in ((self.lot_a, "Released"), (self.lot_b, "Quarantine")):
            message = lot.message_ids[0]
            self.assertIn("Glass splinter found", message.body)
            self.assertEqual(message.author_id, self.quality_manager.partner_id)
            self.assertGreaterEqual(message.date, before)
            tracking = message.tracking_value_ids
            self.assertEqual(tracking.field_id.name, "lot_status")
            self.assertEqual(
                (tracking.old_value_char, tracking.new_value_char), (old_label, "Blocked")
            )
            self.assertEqual(lot.lot_status_date.replace(microsecond=0) >= before, True)
        # exactly one message per lot for the change (no second tracking message)
        self.env.cr.precommit.run()
        self.assertEqual(len(self.lot_a.message_ids.filtered(lambda m: m.tracking_value_ids)), 1)

    def test_restriction_is_named_in_the_chatter(self):
        self._set_status(self.lot_a, "restricted", partners=self.customer)
        self.assertIn("Restricted to: ST Grocer", self.lot_a.message_ids[0].body)

    # ------------------------------------------------------------------ usability

    def test_usable_for_partner_and_operation_type(self):
        out_type = self.warehouse.out_type_id
        manu_type = self.warehouse.manu_type_id
        lot_c = self._lot("ST-C")
        lot_d = self._lot("ST-D")
        self._set_status(self.lot_b, "blocked")
        self._set_status(lot_c, "restricted", partners=self.customer)
        self._set_status(lot_d, "restricted", picking_types=manu_type)
        contact = self.env["res.partner"].create(
            {"name": "ST Grocer, buyer", "parent_id": self.customer.id}
        )
        lots = self.lot_a | self.lot_b | lot_c | lot_d
        cases = [
            ((None, None), self.lot_a),
            ((self.customer, out_type), self.lot_a | lot_c),
            ((contact, None), self.lot_a | lot_c),
            ((self.other_customer, out_type), self.lot_a),
            ((None, manu_type), self.lot_a | lot_d),
            ((self.customer, out_type | manu_type), self.lot_a | lot_c | lot_d),
        ]
        Lot = self.env["stock.lot"]
        for (partner, picking_type), expected in cases:
            with self.subTest(partner=partner and partner.name, picking_type=picking_type):
                self.assertEqual(lots._lot_usable_for(partner, picking_type), expected)
                domain = Lot._lot_usable_domain(partner, picking_type)
                self.assertEqual(Lot.search([("id", "in", lots.ids), *domain]), expected)

    # ------------------------------------------------------------------ access and wizard

    def test_stock_user_cannot_change_the_status(self):
        lot = self.lot_a.with_user(self.stock_user)
        with self.assertRefused(AccessError, "Only a Lot Quality Manager"):
            lot.with_context(lot_status="blocked").action_lot_status_change()
        with self.assertRefused(AccessError, "Only a Lot Quality Manager"):
            self.env["lot.status.change"].with_user(self.stock_user).create(
                {"lot_ids": [Command.set(lot.ids)], "lot_status": "blocked", "reason": "x"}
            )
        with self.assertRefused(UserError, "status buttons"):
            lot.lot_status = "blocked"
        # creating a lot in another status than its product's initial one is refused too
        with self.assertRefused(UserError, "ST-X starts in Released"):
            self.env["stock.lot"].with_user(self.stock_user).create(
                {"name": "ST-X", "product_id": self.product.id, "lot_status": "blocked"}
            )
        self.assertEqual(self.lot_a.lot_status, "released")

    def test_quality_manager_blocks_a_lot_from_its_form_button(self):
        lot = self.lot_a.with_user(self.quality_manager)
        action = lot.with_context(lot_status="blocked").action_lot_status_change()
        self.assertEqual(action["res_model"], "lot.status.change")
        wizard_form = Form(
            self.env["lot.status.change"]
            .with_user(self.quality_manager)
            .with_context(**action["context"])
        )
        self.assertEqual(wizard_form.lot_status, "blocked")
        self.assertTrue(wizard_form.show_relocate)
        wizard_form.reason = "Foreign body complaint"
        wizard_form.relocate = True
        wizard_form.save().action_apply()
        self.assertEqual(self.lot_a.lot_status, "blocked")
        self.assertEqual(self._on_hand(self.lot_a, self.quarantine), 10)
        self.assertEqual(self._on_hand(self.lot_a, self.stock), 0)
        self.assertIn("Foreign body complaint", self.lot_a.message_ids[0].body)
        self.assertEqual(self.lot_a.message_ids[0].author_id, self.quality_manager.partner_id)

    def test_edit_restriction_from_the_form_button(self):
        self._set_status(self.lot_a, "restricted", partners=self.customer)
        lot = self.lot_a.with_user(self.quality_manager)
        action = lot.with_context(lot_status="restricted").action_lot_status_change()
        wizard_model = self.env["lot.status.change"].with_user(self.quality_manager)
        wizard_form = Form(wizard_model.with_context(**action["context"]))
        self.assertEqual(wizard_form.lot_status, "restricted")
        self.assertEqual(wizard_form.partner_ids[:], self.customer)
        wizard_form.partner_ids.add(self.other_customer)
        wizard_form.reason = "Second customer accepted the icing defect"
        wizard_form.save().action_apply()
        self.assertEqual(self.lot_a.lot_restricted_partner_ids, self.customer | self.other_customer)
        message = self.lot_a.message_ids[0]
        self.assertIn("Second customer", message.body)
        # the wizard's default_* context keys did not reach the chatter message
        self.assertFalse(message.partner_ids)

    def test_mass_change_from_the_lot_list(self):
        lots = self.lot_a | self.lot_b
        wizard_model = (
            self.env["lot.status.change"]
            .with_user(self.quality_manager)
            .with_context(active_model="stock.lot", active_ids=lots.ids)
        )
        wizard_form = Form(wizard_model)
        self.assertEqual(wizard_form.lot_count, 2)
        wizard_form.lot_status = "restricted"
        self.assertFalse(wizard_form.show_relocate)
        wizard_form.partner_ids.add(self.customer)
        wizard_form.reason = "Customer-specific recipe"
        wizard_form.save().action_apply()
        self.assertEqual(set(lots.mapped("lot_status")), {"restricted"})
        self.assertEqual(lots.lot_restricted_partner_ids, self.customer)
        self.assertEqual(len(lots.message_ids.filtered(lambda m: "recipe" in m.body)), 2)
        # the action is bound to the lot list for quality managers only
        action = self.env.ref("lot_fefo.action_lot_status_change")
        self.assertEqual(action.binding_model_id.model, "stock.lot")
        self.assertEqual(action.groups_id, self.env.ref("lot_fefo.group_lot_quality_manager"))

    def test_wizard_refuses_a_restriction_without_partner_or_operation(self):
        wizard = (
            self.env["lot.status.change"]
            .with_user(self.quality_manager)
            .create(
                {
                    "lot_ids": [Command.set(self.lot_a.ids)],
                    "lot_status": "restricted",
                    "reason": "Special customer",
                }
            )
        )
        with self.assertRefused(UserError, "at least one partner or operation type"):
            wizard.action_apply()
        self.assertEqual(self.lot_a.lot_status, "released")

    # ------------------------------------------------------------------ release required

    def test_received_lots_of_products_requiring_release_start_in_quarantine(self):
        eggs = self.env["product.product"].create(
            {
                "name": "ST Eggs",
                "is_storable": True,
                "tracking": "lot",
                "lot_release_required": True,
            }
        )
        receipt = self._picking(self.warehouse.in_type_id, self.vendor, 30, product=eggs)
        receipt.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            [
                {**receipt.move_ids._prepare_move_line_vals(quantity=20), "lot_name": "ST-EGG-1"},
                {**receipt.move_ids._prepare_move_line_vals(quantity=10), "lot_name": "ST-EGG-2"},
            ]
        )
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        lots = receipt.move_line_ids.lot_id
        self.assertEqual(sorted(lots.mapped("name")), ["ST-EGG-1", "ST-EGG-2"])
        self.assertEqual(set(lots.mapped("lot_status")), {"quarantine"})
        # a product that does not require release: released at once
        self.assertEqual(self._lot("ST-E").lot_status, "released")
        # a quality manager too creates it in quarantine, then releases it with a reason
        Lot = self.env["stock.lot"].with_user(self.quality_manager)
        with self.assertRefused(UserError, "ST-EGG-3 starts in Quarantine"):
            Lot.create({"name": "ST-EGG-3", "product_id": eggs.id, "lot_status": "released"})
        lot = Lot.create({"name": "ST-EGG-3", "product_id": eggs.id})
        self.assertEqual(lot.lot_status, "quarantine")
        lot._lot_set_status("released", "Certificate of analysis received")
        self.assertEqual(lot.lot_status, "released")

    def test_produced_lots_of_products_requiring_release_start_in_quarantine(self):
        cake = self.env["product.product"].create(
            {
                "name": "ST Cake",
                "is_storable": True,
                "tracking": "lot",
                "lot_release_required": True,
            }
        )
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": cake.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": self.product.id, "product_qty": 1})],
            }
        )
        production = self.env["mrp.production"].create(
            {"product_id": cake.id, "bom_id": bom.id, "product_qty": 2}
        )
        production.action_confirm()
        production.action_generate_serial()
        self.assertEqual(production.lot_producing_id.lot_status, "quarantine")
        production.qty_producing = 2
        production._set_qty_producing()
        production.move_raw_ids.picked = True
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.assertEqual(production.lot_producing_id.lot_status, "quarantine")
        self.assertEqual(production.lot_producing_id.product_qty, 2)

    # ------------------------------------------------------------------ relocation

    def test_blocking_with_relocation_moves_stock_of_every_warehouse(self):
        depot = self.env["stock.warehouse"].create({"name": "ST Depot", "code": "STD"})
        depot_quarantine = self.env["stock.location"].create(
            {"name": "Quarantine", "location_id": depot.view_location_id.id}
        )
        shelf = self.env["stock.location"].create({"name": "Shelf", "location_id": self.stock.id})
        self.Quant._update_available_quantity(self.product, shelf, 4, lot_id=self.lot_a)
        self.Quant._update_available_quantity(
            self.product, depot.lot_stock_id, 3, lot_id=self.lot_a
        )
        self.Quant._update_available_quantity(self.product, self.quarantine, 2, lot_id=self.lot_a)
        with self.assertRefused(UserError, "Quarantine Location of warehouse ST Depot"):
            self._set_status(self.lot_a, "blocked", relocate=True)
        self.assertEqual(self.lot_a.lot_status, "released")
        depot.lot_quarantine_location_id = depot_quarantine
        self._set_status(self.lot_a, "blocked", relocate=True)
        self.assertEqual(self._on_hand(self.lot_a, self.quarantine), 16)
        self.assertEqual(self._on_hand(self.lot_a, depot_quarantine), 3)
        for location in (self.stock, shelf, depot.lot_stock_id):
            self.assertEqual(self._on_hand(self.lot_a, location), 0)
        pickings = self.env["stock.picking"].search([("origin", "like", "ST-A")])
        self.assertEqual(len(pickings), 2)
        self.assertEqual(set(pickings.mapped("state")), {"done"})
        self.assertEqual(pickings.picking_type_id, self.warehouse.int_type_id | depot.int_type_id)
        self.assertEqual(self.lot_b.product_qty, 10, "other lots stay where they are")
        self.assertIn(pickings[0].name, self.lot_a.message_ids[0].body)

    # ------------------------------------------------------------------ installation

    def _quant_statuses(self, quants):
        self.env.cr.execute(
            "SELECT lot_status FROM stock_quant WHERE id = ANY(%s) ORDER BY id", [quants.ids]
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def test_pre_init_hook_fills_the_status_of_existing_quants(self):
        """At installation one UPDATE gives each quant its lot's status, whether the column
        exists already (emptied here) or not (dropped here)."""
        self._set_status(self.lot_a, "blocked")
        quants = self.Quant.search([("lot_id", "in", (self.lot_a | self.lot_b).ids)], order="id")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_quant SET lot_status = NULL WHERE id = ANY(%s)", [quants.ids]
        )
        fill_quant_lot_status(self.env.cr)
        self.assertEqual(self._quant_statuses(quants), ["blocked", "released"])
        with self.env.cr.savepoint(flush=False):
            self.env.cr.execute("ALTER TABLE stock_quant DROP COLUMN lot_status")
            fill_quant_lot_status(self.env.cr)
            self.assertEqual(self._quant_statuses(quants), ["blocked", "released"])
