from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from . import test_lot_genealogy
from .common import company_user


@tagged("post_install", "-at_install")
class TestLotGenealogyGraph(TransactionCase):
    """The genealogy graph's data, the graph actions and the trace's display name, as a
    stock user of the demo bakery."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = company_user(
            cls.env,
            "graph_stock_user",
            "stock.group_stock_user,stock.group_production_lot",
            cls.env.company,
        )
        cls.lot = {
            lot.name: lot
            for lot in cls.env["stock.lot"].search([("product_id.default_code", "=like", "%-___")])
        }

    def _graph(self, lot, direction="downstream", user=None):
        return self.env["lot.trace"].with_user(user or self.user).graph_data(lot.ids, direction)

    def _named(self, data):
        """Nodes by name, edges as {(source name, target name): (kind, quantity, returned)}."""
        nodes = {node["name"]: node for node in data["nodes"]}
        names = {node["id"]: node["name"] for node in data["nodes"]}
        edges = {
            (names[edge["source"]], names[edge["target"]]): (
                edge["kind"],
                edge["quantity"],
                edge["returned"],
            )
            for edge in data["edges"]
        }
        self.assertEqual(len(edges), len(data["edges"]))
        return nodes, edges

    def test_downstream_graph_of_a_flour_lot(self):
        data = self._graph(self.lot["RM-FLR-001"])
        self.assertFalse(data["grouped"])
        nodes, edges = self._named(data)
        lots = {name: node for name, node in nodes.items() if node["type"] == "lot"}
        self.assertEqual(
            {name: (node["depth"], node["root"]) for name, node in lots.items()},
            {
                "RM-FLR-001": (0, True),
                "WIP-DGH-001": (1, False),
                "FG-CAK-001": (1, False),
                "FG-COO-001": (2, False),
            },
        )
        flour = lots["RM-FLR-001"]
        self.assertEqual(
            (flour["product"], flour["quantity"], flour["on_hand"], flour["uom"]),
            ("[RM-FLR] Wheat Flour T55", 500, 320, "kg"),
        )
        self.assertEqual((lots["FG-CAK-001"]["quantity"], lots["FG-CAK-001"]["on_hand"]), (300, 30))
        transformations = {key: value for key, value in edges.items() if value[0] != "delivery"}
        self.assertEqual(
            transformations,
            {
                ("RM-FLR-001", "WIP-DGH-001"): ("transformation", 120, 0),
                ("RM-FLR-001", "FG-CAK-001"): ("transformation", 60, 0),
                ("WIP-DGH-001", "FG-COO-001"): ("transformation", 200, 0),
            },
        )
        customers = [node for node in data["nodes"] if node["type"] == "customer"]
        self.assertEqual(len(customers), 13)
        deliveries = {key: value for key, value in edges.items() if value[0] == "delivery"}
        self.assertEqual(deliveries[("FG-CAK-001", "City Hospital Catering")], ("delivery", 30, 0))
        self.assertEqual(deliveries[("FG-COO-001", "SuperMart Distribution")], ("delivery", 60, 0))
        self.assertEqual(deliveries[("FG-CAK-001", "The Green Grocer")], ("delivery", 50, 10))
        self.assertEqual(
            sum(q for (lot, _c), (_k, q, _r) in deliveries.items() if lot == "FG-CAK-001"), 280
        )
        self.assertEqual(
            sum(q for (lot, _c), (_k, q, _r) in deliveries.items() if lot == "FG-COO-001"), 300
        )
        self.assertEqual(nodes["City Hospital Catering"]["depth"], 2)
        if "lot_status" in self.env["stock.lot"]._fields:
            self.assertEqual(
                (lots["FG-CAK-001"]["status"], lots["FG-CAK-001"]["status_label"]),
                (self.lot["FG-CAK-001"].lot_status, "Restricted"),
            )

    def test_upstream_graph_of_a_cake_lot(self):
        nodes, edges = self._named(self._graph(self.lot["FG-CAK-001"], "upstream"))
        self.assertEqual(
            {name for name, node in nodes.items() if node["type"] == "lot"},
            {
                "FG-CAK-001",
                "RM-FLR-001",
                "RM-FLR-002",
                "RM-MLK-001",
                "RM-EGG-001",
                "RM-EGG-002",
                "RM-SUG-001",
            },
        )
        self.assertEqual(edges[("RM-EGG-001", "FG-CAK-001")], ("transformation", 500, 0))
        self.assertEqual(nodes["FG-CAK-001"]["depth"], 0)
        self.assertEqual(nodes["RM-EGG-001"]["depth"], 1)
        self.assertEqual(
            sum(q for (_lot, _c), (kind, q, _r) in edges.items() if kind == "delivery"), 280
        )

    def test_customers_are_grouped_per_lot_beyond_the_limit(self):
        with patch.object(type(self.env["lot.trace"]), "_lot_graph_node_limit", 16):
            data = self._graph(self.lot["RM-FLR-001"])
        self.assertTrue(data["grouped"])
        groups = {node["res_id"]: node for node in data["nodes"] if node["type"] == "customers"}
        self.assertFalse([node for node in data["nodes"] if node["type"] == "customer"])
        cake, cookies = self.lot["FG-CAK-001"], self.lot["FG-COO-001"]
        self.assertEqual(set(groups), {cake.id, cookies.id})
        self.assertEqual(
            (groups[cake.id]["count"], groups[cake.id]["name"], groups[cake.id]["depth"]),
            (6, "6 customers", 2),
        )
        self.assertEqual(groups[cookies.id]["count"], 7)
        edges = {edge["target"]: edge for edge in data["edges"] if edge["kind"] == "delivery"}
        self.assertEqual(
            (edges[f"customers-{cake.id}"]["quantity"], edges[f"customers-{cake.id}"]["returned"]),
            (280, 10),
        )
        self.assertEqual(edges[f"customers-{cookies.id}"]["quantity"], 300)
        self.assertEqual(len(data["nodes"]), 4 + 2)
        with patch.object(type(self.env["lot.trace"]), "_lot_graph_node_limit", 17):
            self.assertFalse(self._graph(self.lot["RM-FLR-001"])["grouped"])

    def test_company_walls_of_the_graph(self):
        lot, customer, user_a, user_b = (
            test_lot_genealogy.TestLotGenealogy._shared_lot_moved_by_company_a(self)
        )
        nodes, edges = self._named(self._graph(lot, user=user_a))
        self.assertEqual(edges, {("SALT-001", customer.name): ("delivery", 40, 0)})
        self.assertEqual((nodes["SALT-001"]["quantity"], nodes["SALT-001"]["on_hand"]), (100, 60))
        for direction in ("downstream", "upstream"):
            data = self._graph(lot, direction, user=user_b)
            self.assertEqual(data["edges"], [])
            self.assertEqual(
                [(node["name"], node["quantity"], node["on_hand"]) for node in data["nodes"]],
                [("SALT-001", 0, 0)],
            )

    def test_graph_checks_read_access(self):
        lot, _customer, user_a, user_b = (
            test_lot_genealogy.TestLotGenealogy._shared_lot_moved_by_company_a(self)
        )
        lot_of_a = self.env["stock.lot"].create(
            {"name": "SALT-A", "product_id": lot.product_id.id, "company_id": user_a.company_id.id}
        )
        portal = new_test_user(self.env, login="graph_portal", groups="base.group_portal")
        for user, lots in ((portal, lot), (portal, lot_of_a), (user_b, lot_of_a)):
            with self.subTest(user=user.login, lot=lots.name), self.assertRaises(AccessError):
                self._graph(lots, user=user)
        with self.assertRaises(UserError):
            self.env["lot.trace"].with_user(self.user).graph_data(lot.ids, "sideways")
        with self.assertRaises(UserError):
            self.env["lot.trace"].with_user(self.user).graph_data("1,2", "downstream")

    def test_graph_actions_of_lot_and_trace(self):
        lots = (self.lot["FG-CAK-001"] | self.lot["FG-CAK-002"]).with_user(self.user)
        action = lots.action_lot_graph()
        self.assertEqual(action["tag"], "lot_traceability.genealogy_graph")
        self.assertEqual(action["params"], {"lot_ids": lots.ids, "direction": "downstream"})
        trace = (
            self.env["lot.trace"]
            .with_user(self.user)
            .create({"lot_ids": [Command.set(lots.ids)], "direction": "upstream"})
        )
        self.assertEqual(
            trace.action_open_graph()["params"], {"lot_ids": lots.ids, "direction": "upstream"}
        )

    def test_trace_display_name(self):
        trace_model = self.env["lot.trace"].with_user(self.user)
        action = self.lot["FG-CAK-001"].with_user(self.user).action_trace_downstream()
        self.assertEqual(
            trace_model.browse(action["res_id"]).display_name, "Downstream of FG-CAK-001"
        )
        action = self.lot["RM-FLR-001"].with_user(self.user).action_trace_upstream()
        self.assertEqual(
            trace_model.browse(action["res_id"]).display_name, "Upstream of RM-FLR-001"
        )
        names = ["RM-EGG-001", "RM-EGG-002", "RM-FLR-001", "RM-FLR-002"]
        trace = trace_model.create(
            {
                "lot_ids": [Command.set([self.lot[name].id for name in names])],
                "direction": "downstream",
            }
        )
        self.assertRegex(trace.display_name, r"^Downstream of RM-\w+-00\d(, RM-\w+-00\d){2} \+1$")
        self.assertEqual(trace_model.new({}).display_name, "Lot Genealogy")
