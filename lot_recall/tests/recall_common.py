from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class RecallCase(TransactionCase):
    """Recalls on the demo bakery of lot_traceability: flour lot RM-FLR-001 went into
    dough WIP-DGH-001 and cake lot FG-CAK-001, the dough into cookies FG-COO-001; cakes
    and cookies went to 13 customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.flour = ref("lot_traceability.lot_flour_1")
        cls.flour_2 = ref("lot_traceability.lot_flour_2")
        cls.dough = ref("lot_traceability.lot_dough_1")
        cls.cake = ref("lot_traceability.lot_cake_1")
        cls.cake_2 = ref("lot_traceability.lot_cake_2")
        cls.cookies = ref("lot_traceability.lot_cookies_1")
        cls.hospital = ref("lot_traceability.cust_city_hospital")
        cls.supermart = ref("lot_traceability.cust_supermart")
        cls.grocer = ref("lot_traceability.cust_green_grocer")
        cls.corner = ref("lot_traceability.cust_corner_bakery")
        cls.hotel = ref("lot_traceability.cust_hotel_lumiere")
        cls.brussels = ref("lot_traceability.cust_deli_brussels")
        cls.manager = new_test_user(
            cls.env,
            login="recall_manager_test",
            name="Rita Recall Manager",
            email="rita@example.com",
            groups="lot_recall.group_recall_manager,stock.group_production_lot",
        )
        cls.reader = new_test_user(
            cls.env,
            login="recall_user_test",
            name="Ulysses Recall User",
            groups="lot_recall.group_recall_user,stock.group_production_lot",
        )

    def _recall(self, lots=None, kind="recall", **vals):
        """A draft recall of ``lots`` created by the Recall Manager."""
        values = {
            "kind": kind,
            "reason": "Salmonella found in supplier flour",
            "scope_type": "lots",
            "scope_lot_ids": [Command.set((lots or self.flour).ids)],
        }
        values.update(vals)
        return self.env["lot.recall"].with_user(self.manager).create(values)

    def _scoped(self, lots=None, kind="recall", **vals):
        recall = self._recall(lots, kind, **vals)
        recall.action_compute_scope()
        return recall

    def _names(self, records):
        return set(records.mapped("name"))

    def _customer(self, recall, partner):
        return recall.customer_ids.filtered(lambda customer: customer.partner_id == partner)
