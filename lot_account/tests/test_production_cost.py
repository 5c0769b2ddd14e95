from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import LotAccountCase


@tagged("post_install", "-at_install")
class TestManufacturedLotCost(LotAccountCase):
    """A finished lot costs the component lots it consumed plus the operations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.component = cls._product("Lot Cocoa", cls._category("Lot Raw AVCO", "average"))
        cls.finished = cls._product("Lot Truffles", cls._category("Lot Made FIFO", "fifo"))
        workcenter = cls.env["mrp.workcenter"].create(
            {"name": "Lot Tempering", "costs_hour": 60.0, "time_efficiency": 100}
        )
        cls.bom = cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": cls.finished.product_tmpl_id.id,
                "product_qty": 1,
                "consumption": "flexible",
                "bom_line_ids": [
                    Command.create({"product_id": cls.component.id, "product_qty": 2})
                ],
                "operation_ids": [
                    Command.create(
                        {
                            "name": "Temper",
                            "workcenter_id": workcenter.id,
                            "time_mode": "manual",
                            "time_cycle_manual": 6,
                        }
                    )
                ],
            }
        )

    def _produce(self):
        cocoa_1 = self._lot(self.component, "COCOA-1")
        cocoa_2 = self._lot(self.component, "COCOA-2")
        self._receive(cocoa_1, 4, 2.5)
        self._receive(cocoa_2, 6, 3.0)
        production = self.env["mrp.production"].create(
            {"product_id": self.finished.id, "bom_id": self.bom.id, "product_qty": 5}
        )
        production.action_confirm()
        truffles = self._lot(self.finished, "TRUF-1")
        production.write({"lot_producing_id": truffles.id, "qty_producing": 5})
        production._set_qty_producing()
        self._set_lines(production.move_raw_ids, [(cocoa_1, 4), (cocoa_2, 6)])
        production.workorder_ids.duration = 30
        production.button_mark_done()
        self.assertEqual(production.state, "done")
        return truffles, cocoa_1, cocoa_2

    def test_finished_lot_costs_its_component_lots_plus_operations(self):
        truffles, cocoa_1, _cocoa_2 = self._produce()
        # Components 4 x 2.5 + 6 x 3.0 = 28, operations 30 min at 60/h = 30.
        self.assertAlmostEqual(truffles.lot_component_cost, 28)
        self.assertAlmostEqual(truffles.lot_operation_cost, 30)
        self.assertAlmostEqual(truffles.lot_production_value, 58)
        self.assertAlmostEqual(truffles.lot_production_qty, 5)
        self.assertAlmostEqual(truffles.lot_production_unit_cost, 11.6)
        self.assertAlmostEqual(truffles.standard_price, 11.6)
        self.assertAlmostEqual(truffles.value_svl, 58)
        self.assertEqual(
            {
                (layer.lot_id.name, layer.quantity, layer.value)
                for layer in truffles.lot_component_layer_ids
            },
            {("COCOA-1", -4, -10), ("COCOA-2", -6, -18)},
        )
        self.assertFalse(cocoa_1.lot_production_qty)

    def test_genealogy_nodes_carry_the_lot_costs(self):
        truffles, cocoa_1, _cocoa_2 = self._produce()
        trace = self.env["lot.trace"].create(
            {"lot_ids": [Command.set(cocoa_1.ids)], "direction": "downstream"}
        )
        trace.action_compute()
        made = trace.line_ids.filtered(lambda line: line.kind == "transformation")
        self.assertEqual(made.lot_id, truffles)
        self.assertAlmostEqual(made.unit_cost, 11.6)
        self.assertAlmostEqual(made.value, 4 * 2.5)  # the 4 units of COCOA-1 consumed
        upstream = self.env["lot.trace"].create(
            {"lot_ids": [Command.set(truffles.ids)], "direction": "upstream"}
        )
        upstream.action_compute()
        costs = {
            line.lot_id.name: (line.unit_cost, line.value)
            for line in upstream.line_ids.filtered(lambda line: line.kind == "transformation")
        }
        self.assertEqual(costs, {"COCOA-1": (2.5, 10), "COCOA-2": (3.0, 18)})

    def test_costs_are_read_by_accounting_groups_only(self):
        truffles, cocoa_1, _cocoa_2 = self._produce()
        cost_fields = [
            "lot_component_layer_ids",
            "lot_component_cost",
            "lot_operation_cost",
            "lot_production_value",
            "lot_production_qty",
            "lot_production_unit_cost",
        ]
        stock_manager = new_test_user(
            self.env, login="lot_cost_stock_manager", groups="stock.group_stock_manager"
        )
        accountant = new_test_user(
            self.env,
            login="lot_cost_accountant",
            groups="stock.group_stock_user,account.group_account_readonly",
        )
        self._assert_fields_hidden(truffles.with_user(stock_manager), cost_fields, "name")
        self.assertAlmostEqual(
            truffles.with_user(accountant).read(["lot_production_unit_cost"])[0][
                "lot_production_unit_cost"
            ],
            11.6,
        )
        for user, readable in ((stock_manager, False), (accountant, True)):
            trace = (
                self.env["lot.trace"]
                .with_user(user)
                .create({"lot_ids": [Command.set(cocoa_1.ids)], "direction": "downstream"})
            )
            trace.action_compute()
            made = trace.line_ids.filtered(lambda line: line.kind == "transformation")
            self.assertEqual(made.lot_id, truffles)
            arch = trace.get_views([(False, "form")])["views"]["form"]["arch"]
            if readable:
                self.assertAlmostEqual(made.read(["value"])[0]["value"], 10)
                self.assertIn('name="unit_cost"', arch)
                continue
            self.assertNotIn('name="unit_cost"', arch)
            for name in ("unit_cost", "value"):
                with self.assertRaises(AccessError), mute_logger("odoo.models"):
                    made.read([name])

    def test_other_companies_productions_of_a_shared_lot_are_not_counted(self):
        truffles, _cocoa_1, _cocoa_2 = self._produce()
        other = self.env["res.company"].create({"name": "Lot Truffles B"})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", other.id)])
        production = (
            self.env["mrp.production"]
            .with_company(other)
            .create(
                {
                    "product_id": self.finished.id,
                    "bom_id": False,
                    "product_qty": 2,
                    "picking_type_id": warehouse.manu_type_id.id,
                    "extra_cost": 100.0,
                }
            )
        )
        production.action_confirm()
        production.write({"lot_producing_id": truffles.id, "qty_producing": 2})
        production._set_qty_producing()
        production.button_mark_done()
        self.assertEqual((production.state, production.company_id), ("done", other))
        account_manager = new_test_user(
            self.env,
            login="lot_cost_account_manager",
            groups="stock.group_stock_user,account.group_account_manager",
        )
        values = truffles.with_user(account_manager).read(
            ["lot_operation_cost", "lot_production_qty"]
        )
        self.assertAlmostEqual(values[0]["lot_operation_cost"], 30)
        self.assertAlmostEqual(values[0]["lot_production_qty"], 5)
