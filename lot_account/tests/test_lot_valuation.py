from odoo.tests import tagged

from .common import LotAccountCase


@tagged("post_install", "-at_install")
class TestLotValuationByCategory(LotAccountCase):
    """Valuation by lot switched on per product category, Odoo revaluing the stock."""

    def test_new_tracked_products_of_the_category_are_valued_by_lot(self):
        category = self._category("Lot Valued", "fifo")
        tracked = self._product("Tracked Jam", category)
        untracked = self._product("Loose Jam", category, tracking="none")
        self.assertTrue(tracked.lot_valuated)
        self.assertFalse(untracked.lot_valuated)
        other = self._product("Other Jam", self._category("Not Lot Valued", "fifo", False))
        self.assertFalse(other.lot_valuated)
        other.categ_id = category
        self.assertTrue(other.lot_valuated)

    def test_switching_the_category_revalues_the_stock_on_hand_lot_by_lot(self):
        category = self._category("Lot Later", "fifo", lot_valuated=False)
        product = self._product("Honey Jar", category)
        self.assertFalse(product.lot_valuated)
        lot_x, lot_y = self._lot(product, "HNY-X"), self._lot(product, "HNY-Y")
        self._receive(lot_x, 5, 4.0)
        self._receive(lot_y, 5, 6.0)
        self.assertFalse(lot_x.stock_valuation_layer_ids)
        self.assertAlmostEqual(self._balance(self.valuation_account), 50)

        category.lot_valuated = True

        self.assertTrue(product.lot_valuated)
        # Odoo empties the stock and refills it lot by lot at the product's cost (5).
        for lot in lot_x | lot_y:
            self.assertAlmostEqual(lot.quantity_svl, 5)
            self.assertAlmostEqual(lot.value_svl, 25)
            self.assertAlmostEqual(lot.standard_price, 5)
        self.assertAlmostEqual(product.value_svl, 50)
        self.assertAlmostEqual(self._balance(self.valuation_account), 50)

        category.lot_valuated = False
        self.assertFalse(product.lot_valuated)
        self.assertAlmostEqual(product.value_svl, 50)
        self.assertAlmostEqual(self._balance(self.valuation_account), 50)
