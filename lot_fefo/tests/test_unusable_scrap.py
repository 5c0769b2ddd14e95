from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import ExpiryCase


@tagged("post_install", "-at_install")
class TestUnusableScrap(ExpiryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scrap_location = cls.env["stock.location"].search(
            [("scrap_location", "=", True), ("company_id", "=", cls.company.id)],
            order="id",
            limit=1,
        )
        cls.lot_x = cls.env["stock.lot"].create(
            {
                "name": "EX-SCRAP-X",
                "product_id": cls.product_a.id,
                "company_id": cls.company.id,
                "expiration_date": cls._at(-2, hours=12),
            }
        )
        cls.lot_y = cls.env["stock.lot"].create(
            {
                "name": "EX-SCRAP-Y",
                "product_id": cls.product_b.id,
                "company_id": cls.company.id,
                "expiration_date": cls._at(-1, hours=12),
                "standard_price": 4.0,
            }
        )

    def setUp(self):
        super().setUp()
        self._receive(self.lot_x, 5, self.shelf_a)
        self._receive(self.lot_x, 3, self.shelf_b)
        self._receive(self.lot_y, 4)
        (self.lot_x | self.lot_y)._lot_expire_due(now=self.now)

    def _wizard(self, lots, user=None, reason="Expired, destroyed"):
        env = self.env(user=user) if user else self.env
        form = Form(
            env["lot.unusable.scrap"].with_context(active_model="stock.lot", active_ids=lots.ids)
        )
        form.reason = reason
        return form

    def _scraps(self, action):
        return self.env["stock.scrap"].search(action["domain"])

    def test_scrap_one_order_per_lot_and_location_valued(self):
        self.assertEqual((self.lot_x | self.lot_y).mapped("lot_status"), ["expired", "expired"])
        wizard = self._wizard(self.lot_x | self.lot_y).save()
        self.assertEqual(
            {
                (line.lot_id, line.location_id, line.available_quantity, line.quantity)
                for line in wizard.line_ids
            },
            {
                (self.lot_x, self.shelf_a, 5, 5),
                (self.lot_x, self.shelf_b, 3, 3),
                (self.lot_y, self.stock, 4, 4),
            },
        )
        action = wizard.action_scrap()
        scraps = self._scraps(action)
        self.assertEqual(action["res_model"], "stock.scrap")
        self.assertEqual(len(scraps), 3)
        self.assertEqual(set(scraps.mapped("state")), {"done"})
        self.assertEqual(set(scraps.mapped("origin")), {"Expired, destroyed"})
        self.assertEqual(scraps.scrap_location_id, self.scrap_location)
        self.assertEqual(
            {(s.lot_id, s.location_id, s.scrap_qty) for s in scraps},
            {
                (self.lot_x, self.shelf_a, 5),
                (self.lot_x, self.shelf_b, 3),
                (self.lot_y, self.stock, 4),
            },
        )
        self.assertEqual(self._on_hand(self.lot_x), 0)
        self.assertEqual(self._on_hand(self.lot_y), 0)
        self.assertEqual(self.lot_x.balance_scrapped, 8)
        # valued: one layer per scrap, quantity x cost out of stock
        costs = {self.lot_x: 2.5, self.lot_y: 4.0}  # product standard, lot average cost
        for scrap in scraps:
            layer = scrap.move_ids.stock_valuation_layer_ids
            self.assertEqual(len(layer), 1)
            self.assertAlmostEqual(layer.quantity, -scrap.scrap_qty)
            self.assertAlmostEqual(layer.value, -scrap.scrap_qty * costs[scrap.lot_id])
        # the lot valued by lot has its own layer, and no value left
        self.assertEqual(scraps.move_ids.stock_valuation_layer_ids.lot_id, self.lot_y)
        self.assertAlmostEqual(self.lot_y.with_company(self.company).value_svl, 0)

    def test_partial_quantity(self):
        form = self._wizard(self.lot_x)
        with form.line_ids.edit(0) as line:
            self.assertEqual(line.location_id, self.shelf_a)
            line.quantity = 2
        with form.line_ids.edit(1) as line:
            line.quantity = 0
        scraps = self._scraps(form.save().action_scrap())
        self.assertEqual(len(scraps), 1)
        self.assertEqual((scraps.location_id, scraps.scrap_qty), (self.shelf_a, 2))
        self.assertEqual(self._on_hand(self.lot_x, self.shelf_a), 3)
        self.assertEqual(self._on_hand(self.lot_x, self.shelf_b), 3)

    def test_refuses_usable_lots(self):
        usable = self._lot(self.product_a, "EX-SCRAP-OK", 30)
        self._receive(usable, 2)
        wizard = self._wizard(self.lot_x | usable).save()
        scraps_before = self.env["stock.scrap"].search_count([])
        with self.assertRaisesRegex(UserError, "EX-SCRAP-OK"):
            wizard.action_scrap()
        self.assertEqual(self.env["stock.scrap"].search_count([]), scraps_before)
        self.assertEqual(self._on_hand(self.lot_x), 8)

    def test_recalled_and_blocked_lots_can_be_scrapped(self):
        recalled = self._lot(self.product_a, "EX-SCRAP-R", 30)
        blocked = self._lot(self.product_a, "EX-SCRAP-B", 30)
        self._receive(recalled, 2)
        self._receive(blocked, 1)
        recalled._lot_set_status("recalled", "EX recall")
        blocked._lot_set_status("blocked", "EX contamination")
        scraps = self._scraps(self._wizard(recalled | blocked).save().action_scrap())
        self.assertEqual(
            {(s.lot_id, s.scrap_qty, s.state) for s in scraps},
            {(recalled, 2, "done"), (blocked, 1, "done")},
        )

    def test_quantity_checks(self):
        form = self._wizard(self.lot_y)
        with form.line_ids.edit(0) as line:
            line.quantity = 5
        wizard = form.save()
        with self.assertRaisesRegex(UserError, "only 4"):
            wizard.action_scrap()
        wizard.line_ids.quantity = -1
        with self.assertRaises(UserError):
            wizard.action_scrap()
        # stock gone since the wizard was opened: nothing is scrapped
        wizard = self._wizard(self.lot_x).save()
        self.env["stock.quant"]._update_available_quantity(
            self.product_a, self.shelf_b, -3, lot_id=self.lot_x
        )
        with self.assertRaises(UserError):
            wizard.action_scrap()
        self.assertFalse(self.env["stock.scrap"].search([("lot_id", "=", self.lot_x.id)]))
        # no stock at all
        empty = self._lot(self.product_a, "EX-SCRAP-EMPTY", -5)
        empty._lot_expire_due(now=self.now)
        with self.assertRaisesRegex(UserError, "Nothing to scrap"):
            self._wizard(empty).save().action_scrap()

    def test_reserved_stock_is_unreserved(self):
        blocked = self._lot(self.product_a, "EX-SCRAP-RES", 30)
        self._receive(blocked, 4)
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.stock.id,
                "location_dest_id": self.shelf_b.id,
            }
        )
        move = self.env["stock.move"].create(
            {
                "name": "EX reserved",
                "picking_id": picking.id,
                "product_id": self.product_a.id,
                "product_uom_qty": 4,
                "product_uom": self.product_a.uom_id.id,
                "location_id": self.stock.id,
                "location_dest_id": self.shelf_b.id,
            }
        )
        picking.action_confirm()
        picking.action_assign()
        self.assertEqual(move.move_line_ids.lot_id, blocked)
        # reserved, then blocked without the status flow unreserving it (e.g. data import)
        self.env.cr.execute(
            "UPDATE stock_lot SET lot_status = 'blocked' WHERE id = %s", [blocked.id]
        )
        blocked.invalidate_recordset(["lot_status"])
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", blocked.id), ("location_id", "=", self.stock.id)]
        )
        self.assertEqual(quant.reserved_quantity, 4)
        scraps = self._scraps(self._wizard(blocked).save().action_scrap())
        self.assertEqual((scraps.scrap_qty, scraps.state), (4, "done"))
        self.assertFalse(move.move_line_ids.filtered(lambda ml: ml.lot_id == blocked))
        self.assertEqual(self._on_hand(blocked), 0)

    def test_access(self):
        stock_user = new_test_user(self.env, "ex_scrap_user", groups="stock.group_stock_user")
        with self.assertRaises(AccessError):
            self.env["lot.unusable.scrap"].with_user(stock_user).create({"reason": "x"})
        # a Lot Quality Manager who is not an inventory manager scraps, valued
        scraps = self._scraps(self._wizard(self.lot_y, user=self.user_q).save().action_scrap())
        self.assertEqual(scraps.create_uid, self.user_q)
        self.assertAlmostEqual(scraps.move_ids.stock_valuation_layer_ids.value, -16.0)

    def test_opened_from_menu_and_lot_form(self):
        action = self.env.ref("lot_fefo.action_lot_unusable_scrap")
        self.assertEqual(action.binding_model_id.model, "stock.lot")
        menu = self.env.ref("lot_fefo.menu_lot_unusable_scrap")
        self.assertEqual(menu.action, action)
        # from the menu: empty, lots chosen in the form
        form = Form(self.env["lot.unusable.scrap"])
        form.reason = "Expired"
        form.lot_ids.add(self.lot_y)
        self.assertEqual(len(form.line_ids), 1)
        with form.line_ids.edit(0) as line:
            self.assertEqual((line.lot_id, line.quantity), (self.lot_y, 4))
