import json
from unittest.mock import patch

import psycopg2
from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

# Public methods of lot_traceability that only read: a deployment with a PostgreSQL
# replica (``db_replica_host``) serves them from it.
READ_ONLY = [
    ("lot.genealogy", "trace"),
    ("lot.genealogy", "mass_balance"),
    ("lot.trace", "graph_data"),
    ("stock.lot", "action_mass_balance"),
    ("stock.lot", "action_lot_graph"),
]
# Public methods that write (trace lines, attachments): never on the replica.
READ_WRITE = [
    ("lot.trace", "action_compute"),
    ("lot.trace", "action_export_csv"),
    ("lot.trace", "action_export_xlsx"),
    ("stock.lot", "action_trace_customers"),
    ("stock.lot", "action_trace_downstream"),
]


@tagged("post_install", "-at_install")
class TestReadReplica(HttpCase):
    """Traces, mass balances and graphs called over RPC by a warehouse user run on a
    read-only cursor (the replica's, when one is configured) and write nothing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="replica_stock_user",
            groups="stock.group_stock_user,stock.group_production_lot",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )
        cls.flour = cls.env["stock.lot"].search([("name", "=", "RM-FLR-001")])
        cls.cake = cls.env["stock.lot"].search([("name", "=", "FG-CAK-001")])

    def _call_kw(self, model, method, args, kwargs=None):
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps(
                {
                    "params": {
                        "model": model,
                        "method": method,
                        "args": args,
                        "kwargs": kwargs or {},
                    }
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertNotIn("error", body, body.get("error"))
        return body["result"]

    def test_read_methods_are_routed_to_the_replica_and_write_methods_are_not(self):
        for model, method in READ_ONLY:
            self.assertTrue(
                getattr(getattr(type(self.env[model]), method), "_readonly", False),
                f"{model}.{method}",
            )
        for model, method in READ_WRITE:
            self.assertFalse(
                getattr(getattr(type(self.env[model]), method), "_readonly", False),
                f"{model}.{method}",
            )

    def test_reads_over_rpc_run_on_a_read_only_cursor(self):
        self.assertTrue(self.flour and self.cake, "the demo bakery's lots")
        expected = self.env["lot.genealogy"].with_user(self.user).trace(self.flour.ids)
        genealogy = type(self.env["lot.genealogy"])
        fetch_dicts, movements = genealogy._fetch_dicts, genealogy._movements
        cursors = []

        def spy(engine, query, columns=None):
            cursors.append(engine.env.cr.readonly)
            return fetch_dicts(engine, query, columns)

        def spy_movements(engine, params):
            cursors.append(engine.env.cr.readonly)
            return movements(engine, params)

        self.authenticate(self.user.login, self.user.login)
        # A write on the read-only cursor would be retried on a read/write one, with a
        # warning from odoo.http: none may be logged.
        no_retry = self.assertNoLogs("odoo.http", "WARNING")
        with (
            patch.object(genealogy, "_fetch_dicts", spy),
            patch.object(genealogy, "_movements", spy_movements),
            no_retry,
        ):
            trace = self._call_kw("lot.genealogy", "trace", [self.flour.ids, "downstream"])
            upstream = self._call_kw("lot.genealogy", "trace", [self.cake.ids, "upstream"])
            balance = self._call_kw("lot.genealogy", "mass_balance", [self.flour.ids])
            graph = self._call_kw("lot.trace", "graph_data", [self.flour.ids, "downstream"])
            action = self._call_kw("stock.lot", "action_mass_balance", [self.cake.ids])
            graph_action = self._call_kw("stock.lot", "action_lot_graph", [self.cake.ids])
        self.assertEqual(
            sorted((row["lot_id"], row["depth"]) for row in trace["lots"]),
            sorted((row["lot_id"], row["depth"]) for row in expected["lots"]),
        )
        self.assertEqual(len(trace["movements"]), len(expected["movements"]))
        self.assertEqual(len(upstream["lots"]), 7)
        self.assertEqual(
            balance[str(self.flour.id)]["in"],
            self.env["lot.genealogy"].mass_balance(self.flour.ids)[self.flour.id]["in"],
        )
        self.assertIn(f"lot-{self.flour.id}", {node["id"] for node in graph["nodes"]})
        self.assertEqual(action["res_model"], "stock.lot")
        self.assertEqual(graph_action["params"]["lot_ids"], self.cake.ids)
        # trace (twice), graph data (one trace), action_mass_balance (two traces): every
        # query of the engine (edges, movements, stock) ran on a read-only cursor
        self.assertEqual(len(cursors), 5 * 3)
        self.assertTrue(all(cursors))

    def test_reads_write_nothing_in_a_read_only_transaction(self):
        env = self.env(user=self.user)
        expected = (
            env["lot.genealogy"].trace(self.flour.ids, "downstream"),
            env["lot.genealogy"].mass_balance(self.flour.ids),
            env["lot.trace"].graph_data(self.cake.ids, "upstream"),
            env["stock.lot"].browse(self.cake.ids).action_mass_balance(),
        )
        env.invalidate_all()
        cr = self.env.cr
        cr.execute("SAVEPOINT lot_read_only")
        cr.execute("SET TRANSACTION READ ONLY")
        try:
            with self.assertRaises(psycopg2.errors.ReadOnlySqlTransaction), cr.savepoint():
                cr.execute("UPDATE stock_lot SET ref = 'x' WHERE id = %s", [self.flour.id])
            result = (
                env["lot.genealogy"].trace(self.flour.ids, "downstream"),
                env["lot.genealogy"].mass_balance(self.flour.ids),
                env["lot.trace"].graph_data(self.cake.ids, "upstream"),
                env["stock.lot"].browse(self.cake.ids).action_mass_balance(),
            )
        finally:
            cr.execute("ROLLBACK TO SAVEPOINT lot_read_only")
        self.assertEqual(result, expected)
        self.assertEqual(len(result[0]["lots"]), 4)
        self.assertEqual(len([node for node in result[2]["nodes"] if node["type"] == "lot"]), 7)
