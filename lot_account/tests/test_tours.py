from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestTours(HttpCase):
    """Accountants' flows of lot_account, in the browser."""

    def test_open_cogs_by_lot_from_the_accounting_menu(self):
        self.start_tour("/odoo", "lot_account_cogs_report", login="admin")

    def test_ten_minutes_with_the_demo(self):
        """The README's walkthrough, step by step through the menus, on the demo data."""
        self.start_tour("/odoo", "lot_demo_walkthrough", login="admin", timeout=120)
