from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestSuiteInstall(HttpCase):
    """The four addons install together, with their groups, and the demo is reachable."""

    def test_addons_installed_with_exact_dependencies(self):
        modules = self.env["ir.module.module"].search(
            [("name", "in", ["lot_traceability", "lot_fefo", "lot_recall", "lot_account"])]
        )
        self.assertEqual(set(modules.mapped("state")), {"installed"})
        depends = {m.name: set(m.dependencies_id.mapped("name")) for m in modules}
        self.assertEqual(depends["lot_traceability"], {"stock", "mrp", "product_expiry"})
        self.assertEqual(
            depends["lot_fefo"],
            {"lot_traceability", "mrp", "product_expiry", "sale_stock", "stock_account"},
        )
        self.assertEqual(
            depends["lot_recall"],
            {"lot_traceability", "lot_fefo", "mail", "portal", "sale_stock", "purchase_stock"},
        )
        self.assertEqual(
            depends["lot_account"],
            {
                "lot_recall",
                "sale_stock",
                "purchase_stock",
                "stock_account",
                "mrp_account",
                "account",
            },
        )
        for module in modules:
            self.assertRegex(module.latest_version, r"^18\.0\.\d+\.\d+\.\d+$")

    def test_login_page_served(self):
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200)
        self.assertIn('name="login"', response.text)

    def test_demo_lots_visible_in_inventory_menu(self):
        self.start_tour("/odoo", "lot_traceability_demo_lots", login="admin")
