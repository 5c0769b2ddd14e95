from odoo.addons.lot_traceability.tests.common import DemoCompaniesCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestMultiCompanyDemo(DemoCompaniesCase):
    """The demo's second company, its warehouse, lots and user, behind the company walls."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.warehouse = ref("lot_traceability.warehouse_nord")
        cls.nord_user = ref("lot_traceability.user_nord")
        cls.admin = ref("base.user_admin")
        cls.nord_cookies = ref("lot_traceability.lot_nord_cookies_1")

    def _trace(self, user, lot, companies=None):
        """The downstream trace of ``lot`` as computed for ``user`` from the lot's form."""
        env = self.env(user=user)
        if companies:
            env = env(context=dict(env.context, allowed_company_ids=companies.ids))
        trace = env["lot.trace"].create({"lot_ids": [lot.id], "direction": "downstream"})
        trace.action_compute()
        return trace

    def test_second_company_has_its_warehouse_lots_and_deliveries(self):
        self.assertEqual(self.nord.name, "Bakery Nord GmbH")
        self.assertEqual(self.warehouse.company_id, self.nord)
        # Its lots are its own; the product is shared with the main bakery.
        self.assertEqual(self.nord_cookies.company_id, self.nord)
        self.assertFalse(self.nord_cookies.product_id.company_id)
        quants = self.env["stock.quant"].search(
            [("location_id", "=", self.warehouse.lot_stock_id.id), ("quantity", "!=", 0)]
        )
        self.assertEqual(
            {(quant.lot_id.name, quant.quantity) for quant in quants},
            {("NB-COO-2417", 100), ("NB-FLR-2417", 400)},
        )
        deliveries = self.env["stock.picking"].search(
            [("picking_type_id", "=", self.warehouse.out_type_id.id), ("state", "=", "done")]
        )
        self.assertEqual(
            set(deliveries.partner_id.mapped("name")), {"Alster Café", "Elbe Feinkost"}
        )
        self.assertEqual(set(deliveries.move_ids.company_id.ids), {self.nord.id})

    def test_demo_user_allowed_only_in_the_second_company(self):
        self.assertEqual(self.nord_user.login, "nord")
        self.assertEqual(self.nord_user.company_id, self.nord)
        self.assertEqual(self.nord_user.company_ids, self.nord)
        self.assertTrue(self.nord_user.has_group("stock.group_stock_user"))
        self.assertFalse(self.nord_user.has_group("stock.group_stock_manager"))
        # The administrator switches between both companies.
        self.assertEqual(self.admin.company_ids & (self.main | self.nord), self.main | self.nord)
        self.assertTrue(self.admin.has_group("base.group_multi_company"))

    def test_demo_user_traces_its_own_lot_to_its_customers(self):
        trace = self._trace(self.nord_user, self.nord_cookies)
        deliveries = trace.line_ids.filtered(lambda line: line.kind == "delivery")
        self.assertEqual(
            sorted((line.partner_id.name, line.quantity) for line in deliveries),
            [("Alster Café", 120), ("Elbe Feinkost", 80)],
        )
        self.assertEqual(trace.customer_count, 2)

    def test_demo_user_does_not_see_the_main_company_moves_of_a_shared_lot(self):
        """Cake lot FG-CAK-001 has no company: Bakery Nord sees the lot, not its moves."""
        self.assertFalse(self.cake.company_id)
        trace = self._trace(self.nord_user, self.cake)
        self.assertFalse(trace.line_ids.partner_id, "customers of the main bakery are shown")
        self.assertFalse(trace.line_ids.picking_id, "transfers of the main bakery are shown")
        self.assertEqual(trace.customer_count, 0)
        balance = self.env["lot.genealogy"].with_user(self.nord_user).mass_balance([self.cake.id])
        self.assertEqual((balance[self.cake.id]["in"], balance[self.cake.id]["out"]), (0, 0))
        self.assertEqual(balance[self.cake.id]["on_hand"], 0)
        # The main bakery still sees its own customers of that lot.
        trace = self._trace(self.admin, self.cake, companies=self.main)
        self.assertIn("Corner Bakery Café", trace.line_ids.partner_id.mapped("name"))
