from contextlib import suppress

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import LotStatusCase


@tagged("post_install", "-at_install")
class TestStatusTrust(LotStatusCase):
    """Who may change a lot's status: Lot Quality Managers through the wizard, and the
    suite itself (recalls, expiry) server-side; never a context key sent by a client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eggs = cls.env["product.product"].create(
            {
                "name": "ST Eggs",
                "is_storable": True,
                "tracking": "lot",
                "lot_release_required": True,
            }
        )
        cls.stock_manager = new_test_user(
            cls.env, login="st_stock_manager", groups="stock.group_stock_manager"
        )
        # the context key the old code trusted, as any RPC client can send it
        cls.forged = {"lot_status_change": True}

    # ------------------------------------------------------------------ case 1: writes

    def test_inventory_user_cannot_release_a_lot_with_a_context_key(self):
        self._set_status(self.lot_a, "quarantine")
        lot = self.lot_a.with_user(self.stock_user).with_context(**self.forged)
        with self.assertRefused(UserError, "status buttons"):
            lot.write({"lot_status": "released"})
        with self.assertRefused(UserError, "status buttons"):
            lot.write({"lot_restricted_partner_ids": [Command.set(self.customer.ids)]})
        with self.assertRefused(UserError, "status buttons"):
            lot.write({"lot_status_reason": "Lab result negative"})
        # a mass write over many lots, with the key, is refused too
        lots = (self.lot_a | self.lot_b).with_user(self.stock_user).with_context(**self.forged)
        with self.assertRefused(UserError, "status buttons"):
            lots.write({"lot_status": "blocked"})
        self.assertEqual(self.lot_a.lot_status, "quarantine")
        self.assertEqual(self.lot_b.lot_status, "released")
        self.assertFalse(self.lot_a.lot_restricted_partner_ids)

    def test_users_cannot_silence_the_expiry_alerts_of_a_lot(self):
        lot = self.lot_a.with_user(self.stock_manager)
        for vals in (
            {"lot_expiry_alert_horizon": 1},
            {"lot_expiry_alert_expiration_date": "2099-01-01 00:00:00"},
        ):
            with self.assertRefused(UserError, "expiry alert job"):
                lot.write(vals)
        self.assertEqual(self.lot_a.lot_expiry_alert_horizon, 0)
        self.assertFalse(self.lot_a.lot_expiry_alert_expiration_date)
        lot.write({"ref": "still editable"})
        self.assertEqual(self.lot_a.ref, "still editable")

    def test_new_lot_comes_without_expiry_alerts_sent(self):
        """Neither the values, the client's default_ keys nor a personal default record
        alerts as sent for a new lot (the job would never alert it)."""
        Lot = self.env["stock.lot"].with_user(self.stock_user)
        sent = {"lot_expiry_alert_horizon": 1, "lot_expiry_alert_expiration_date": "2099-01-01"}
        with self.assertRefused(UserError, "expiry alert job"):
            Lot.create({"name": "ST-AL-VALS", "product_id": self.product.id, **sent})
        with self.assertRefused(UserError, "expiry alert job"):
            self.lot_a.with_user(self.stock_user).copy({"name": "ST-AL-COPY", **sent})
        by_context = Lot.with_context(
            default_product_id=self.product.id,
            **{f"default_{name}": value for name, value in sent.items()},
        )
        self.env["ir.default"].with_user(self.stock_user).set(
            "stock.lot", "lot_expiry_alert_horizon", 1, user_id=True
        )
        lots = by_context.create({"name": "ST-AL-CTX", "product_id": self.product.id})
        lots |= self.env["stock.lot"].browse(by_context.name_create("ST-AL-NC")[0])
        lots |= Lot.create({"name": "ST-AL-DEF", "product_id": self.product.id})
        for lot in lots:
            self.assertEqual(lot.lot_expiry_alert_horizon, 0, lot.name)
            self.assertFalse(lot.lot_expiry_alert_expiration_date, lot.name)

    def test_lots_created_for_a_user_in_superuser_mode_take_none_of_his_defaults(self):
        """Odoo creates some records for a user in superuser mode, with his context and
        his personal defaults: they set neither the status nor the alerts of a lot."""
        self.env["ir.default"].with_user(self.stock_user).set(
            "stock.lot", "lot_status_reason", "Released by default", user_id=True
        )
        as_odoo = self.env(
            user=self.stock_user,
            su=True,
            context=dict(
                self.env.context,
                default_lot_status="released",
                default_lot_restricted_partner_ids=[Command.set(self.customer.ids)],
                default_lot_expiry_alert_horizon=1,
            ),
        )
        lot = as_odoo["stock.lot"].create({"name": "ST-EGG-SU", "product_id": self.eggs.id})
        self.assertEqual(lot.lot_status, "quarantine")
        self.assertFalse(lot.lot_restricted_partner_ids)
        self.assertFalse(lot.lot_status_reason)
        self.assertEqual(lot.lot_expiry_alert_horizon, 0)

    def test_quality_manager_changes_the_status_only_with_a_reason(self):
        lot = self.lot_a.with_user(self.quality_manager).with_context(**self.forged)
        with self.assertRefused(UserError, "status buttons"):
            lot.write({"lot_status": "blocked"})
        self.assertEqual(self.lot_a.lot_status, "released")
        wizard = (
            self.env["lot.status.change"]
            .with_user(self.quality_manager)
            .create({"lot_ids": [Command.set(lot.ids)], "lot_status": "blocked", "reason": "Mold"})
        )
        wizard.action_apply()
        self.assertEqual(self.lot_a.lot_status, "blocked")
        self.assertEqual(self.lot_a.lot_status_reason, "Mold")

    def test_copy_name_create_and_import_cannot_set_the_status(self):
        Lot = self.env["stock.lot"].with_user(self.stock_user).with_context(**self.forged)
        with self.assertRefused(UserError, "starts in"):
            self.lot_b.with_user(self.stock_user).with_context(**self.forged).copy(
                {"name": "ST-COPY", "lot_status": "blocked"}
            )
        # a copy of a blocked lot starts as a new lot of its product
        self._set_status(self.lot_b, "blocked")
        copy = self.lot_b.with_user(self.stock_user).copy({"name": "ST-COPY"})
        self.assertEqual(copy.lot_status, "released")
        # default_* context keys do not choose the status either
        lot_id, _name = Lot.with_context(
            default_product_id=self.eggs.id,
            default_lot_status="released",
            default_lot_restricted_partner_ids=[Command.set(self.customer.ids)],
        ).name_create("ST-EGG-NC")
        lot = self.env["stock.lot"].browse(lot_id)
        self.assertEqual(lot.lot_status, "quarantine")
        self.assertFalse(lot.lot_restricted_partner_ids)
        # an import of the status is refused, nothing is saved
        self._set_status(self.lot_a, "quarantine")
        xmlid = self.lot_a.get_external_id()[self.lot_a.id] or self._xmlid(self.lot_a)
        result = Lot.load(["id", "lot_status"], [[xmlid, "released"]])
        self.assertTrue(result["messages"])
        self.assertFalse(result["ids"])
        result = Lot.load(
            ["name", "product_id/.id", "lot_status"],
            [["ST-EGG-IMP", str(self.eggs.id), "released"]],
        )
        self.assertFalse(result["ids"])
        self.assertEqual(self.lot_a.lot_status, "quarantine")
        self.assertFalse(self.env["stock.lot"].search([("name", "=", "ST-EGG-IMP")]))

    def _xmlid(self, record):
        self.env["ir.model.data"].create(
            {
                "module": "__import__",
                "name": f"st_lot_{record.id}",
                "model": record._name,
                "res_id": record.id,
            }
        )
        return f"__import__.st_lot_{record.id}"

    def test_status_wizard_is_for_quality_managers_only(self):
        wizard = (
            self.env["lot.status.change"]
            .with_user(self.quality_manager)
            .create(
                {"lot_ids": [Command.set(self.lot_a.ids)], "lot_status": "blocked", "reason": "x"}
            )
        )
        Wizard = self.env["lot.status.change"].with_user(self.stock_user)
        with self.assertRefused(AccessError, "."):
            Wizard.with_context(**self.forged).create(
                {"lot_ids": [Command.set(self.lot_a.ids)], "lot_status": "blocked", "reason": "x"}
            )
        with self.assertRefused(AccessError, "."):
            Wizard.browse(wizard.id).action_apply()
        with self.assertRefused(AccessError, "."):
            Wizard.default_get(["lot_ids"])
        with self.assertRefused(AccessError, "Only a Lot Quality Manager"):
            self.lot_a.with_user(self.stock_user).action_lot_status_change()
        self.assertEqual(self.lot_a.lot_status, "released")

    def test_the_suite_sets_the_status_for_users_outside_the_quality_group(self):
        """A recall blocks lots for a Recall Manager who is no Lot Quality Manager: the
        server-side path needs no group and no context key."""
        lots = (self.lot_a | self.lot_b).with_user(self.stock_user)
        lots._lot_set_status("recalled", "Supplier recall")
        self.assertEqual(set(lots.mapped("lot_status")), {"recalled"})
        message = self.lot_a.message_ids[0]
        self.assertIn("Supplier recall", message.body)
        self.assertEqual(message.author_id, self.stock_user.partner_id)

    # ------------------------------------------------------------------ case 2: quants

    def test_quant_status_cannot_be_written_apart_from_its_lot(self):
        self._set_status(self.lot_a, "quarantine")
        self._set_status(self.lot_b, "blocked")
        quants = self.Quant.search([("lot_id", "in", (self.lot_a | self.lot_b).ids)])
        for user in (self.stock_user, self.stock_manager):
            with self.subTest(user=user.login):
                with self.assertRefused(UserError, "status of its lot"):
                    quants.with_user(user).write({"lot_status": "released"})
                with self.assertRefused(UserError, "status of its lot"):
                    quants.with_user(user).with_context(**self.forged).lot_status = "released"
        with self.assertRefused(UserError, "status of its lot"):
            self.Quant.with_user(self.stock_manager).create(
                {
                    "product_id": self.product.id,
                    "location_id": self.stock.id,
                    "lot_id": self.lot_a.id,
                    "quantity": 5,
                    "lot_status": "released",
                }
            )
        self.assertEqual(set(quants.mapped("lot_status")), {"quarantine", "blocked"})
        # the delivery reserves neither the quarantined nor the blocked lot
        delivery = self._delivery(qty=5)
        delivery.with_user(self.stock_user).action_assign()
        self.assertFalse(delivery.move_ids.move_line_ids)
        # the quants follow their lot
        self._set_status(self.lot_a, "released")
        self.assertEqual(quants.filtered(lambda q: q.lot_id == self.lot_a).lot_status, "released")
        delivery.action_assign()
        self.assertEqual(delivery.move_ids.move_line_ids.lot_id, self.lot_a)

    # ------------------------------------------------------------------ case 3: creation

    def test_new_lot_of_a_product_requiring_release_starts_in_quarantine(self):
        for user in (self.stock_user, self.quality_manager):
            Lot = self.env["stock.lot"].with_user(user)
            with self.subTest(user=user.login):
                with self.assertRefused(UserError, "starts in Quarantine"):
                    Lot.with_context(**self.forged).create(
                        {
                            "name": f"ST-EGG-{user.id}",
                            "product_id": self.eggs.id,
                            "lot_status": "released",
                        }
                    )
                with self.assertRefused(UserError, "starts in"):
                    Lot.create(
                        {
                            "name": f"ST-EGG-R{user.id}",
                            "product_id": self.eggs.id,
                            "lot_status": "restricted",
                            "lot_restricted_partner_ids": [Command.set(self.customer.ids)],
                        }
                    )
                lot = Lot.with_context(default_lot_status="released", **self.forged).create(
                    {"name": f"ST-EGG-D{user.id}", "product_id": self.eggs.id}
                )
                self.assertEqual(lot.lot_status, "quarantine")
                # stating the initial status is harmless (e.g. an import of new lots)
                lot = Lot.create(
                    {
                        "name": f"ST-EGG-Q{user.id}",
                        "product_id": self.eggs.id,
                        "lot_status": "quarantine",
                    }
                )
                self.assertEqual(lot.lot_status, "quarantine")
        self.assertFalse(
            self.env["stock.lot"].search(
                [("lot_status", "=", "released"), ("product_id", "=", self.eggs.id)]
            )
        )

    def test_inventory_user_receives_lots_requiring_release_in_quarantine(self):
        receipt = self._picking(self.warehouse.in_type_id, self.vendor, 30, product=self.eggs)
        receipt = receipt.with_user(self.stock_user)
        receipt.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].with_user(self.stock_user).create(
            {**receipt.move_ids._prepare_move_line_vals(quantity=30), "lot_name": "ST-EGG-REC"}
        )
        receipt.move_ids.picked = True
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.move_line_ids.lot_id.lot_status, "quarantine")

    def test_a_lot_in_use_does_not_take_a_product_requiring_release(self):
        lot = self._lot("ST-NEW")
        with self.assertRefused(UserError, "ST Eggs requires a quality release"):
            lot.with_user(self.stock_user).product_id = self.eggs
        self.assertEqual(lot.product_id, self.product)
        self._set_status(lot, "quarantine")
        lot.with_user(self.stock_user).product_id = self.eggs
        self.assertEqual((lot.product_id, lot.lot_status), (self.eggs, "quarantine"))

    def test_administrator_is_a_lot_quality_manager(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("lot_fefo.group_lot_quality_manager"))

    def test_quality_manager_changes_only_the_lots_of_his_companies(self):
        company_b = self.env["res.company"].create({"name": "ST Company B"})
        lot_b = self._lot("ST-B-ONLY", company_id=company_b.id)
        wizard = (
            self.env["lot.status.change"]
            .with_user(self.quality_manager)
            .create({"lot_ids": [Command.set(lot_b.ids)], "lot_status": "blocked", "reason": "x"})
        )
        # the lot of B is out of the wizard's reach: refused, or left out
        with suppress(AccessError), self.env.cr.savepoint():
            wizard.action_apply()
        self.assertEqual(lot_b.lot_status, "released")
        with self.assertRefused(AccessError, "Lot/Serial"):
            lot_b.with_user(self.quality_manager)._lot_set_status("blocked", "x")
        self.assertEqual(lot_b.lot_status, "released")

    def test_manufacturing_user_produces_lots_requiring_release_in_quarantine(self):
        user = new_test_user(
            self.env, login="st_mrp", groups="stock.group_stock_user,mrp.group_mrp_user"
        )
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": self.eggs.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": self.product.id, "product_qty": 1})],
            }
        )
        production = (
            self.env["mrp.production"]
            .with_user(user)
            .create({"product_id": self.eggs.id, "bom_id": bom.id, "product_qty": 2})
        )
        production.action_confirm()
        production.action_generate_serial()
        production.qty_producing = 2
        production._set_qty_producing()
        production.move_raw_ids.picked = True
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        self.assertEqual(production.lot_producing_id.lot_status, "quarantine")

    def test_inventory_user_cannot_reserve_a_quarantined_lot_with_a_context_key(self):
        """The context key Odoo's automatic reservation once carried, sent by a client,
        does not let an Inventory user put a quarantined lot on a delivery."""
        self._set_status(self.lot_a, "quarantine")
        delivery = self._delivery().with_user(self.stock_user)
        delivery.do_unreserve()
        lines = self.env["stock.move.line"].with_user(self.stock_user)
        for value in (True, ["lot_fefo", "auto_reserve"], "auto_reserve"):
            context = {"lot_status_auto_reserve": value, "lot_fefo_core_only": value}
            with self.subTest(value=value), self.assertRefused(UserError, "ST-A .*Quarantine"):
                lines.with_context(**context).create(
                    self._line_vals(delivery.move_ids, self.lot_a, 5, picked=False)
                )
        line = lines.create(self._line_vals(delivery.move_ids, self.lot_b, 5, picked=False))
        with self.assertRefused(UserError, "ST-A .*Quarantine"):
            line.with_context(lot_status_auto_reserve=True).lot_id = self.lot_a
        self.assertEqual(self._reserved(self.lot_a), 0)
        # Odoo's own reservation still skips the lot, and reserves the released one
        line.unlink()
        delivery.action_assign()
        self.assertEqual(delivery.move_line_ids.lot_id, self.lot_b)

    def test_inventory_user_cannot_switch_off_the_reservation_rules(self):
        """The context key that once switched back to Odoo's own reservation
        (``lot_fefo_core_only``), sent by an Inventory user, does not reserve a
        quarantined lot."""
        self._set_status(self.lot_a, "quarantine")
        delivery = self._delivery().with_user(self.stock_user)
        for value in (True, ["lot_fefo", "core_only"]):
            delivery.do_unreserve()
            delivery.with_context(lot_fefo_core_only=value).action_assign()
            self.assertEqual(delivery.move_line_ids.lot_id, self.lot_b)
            self.assertEqual(self._reserved(self.lot_a), 0)
