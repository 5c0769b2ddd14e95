from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestReadonlyEntryPoints(HttpCase):
    """lot_fefo's reads answer on a read-only cursor (a replica with ``db_replica_host``):
    called over RPC here, where Odoo's test cursor refuses any write in them."""

    def test_reads_answer_on_a_readonly_cursor(self):
        new_test_user(
            self.env,
            login="ro_quality",
            password="ro_quality_pw",
            groups="stock.group_stock_user,stock.group_production_lot,"
            "lot_fefo.group_lot_quality_manager,account.group_account_readonly",
        )
        product = self.env["product.product"].create(
            {"name": "RO Honey", "is_storable": True, "tracking": "lot"}
        )
        lot = self.env["stock.lot"].create({"name": "RO-1", "product_id": product.id})
        self.env["stock.quant"]._update_available_quantity(
            product, self.env.ref("stock.warehouse0").lot_stock_id, 3, lot_id=lot
        )
        self.authenticate("ro_quality", "ro_quality_pw")
        calls = [
            (
                "/web/dataset/call_button",
                "stock.lot",
                "action_lot_status_change",
                [[lot.id]],
                {"context": {"lot_status": "blocked"}},
            ),
            (
                "/web/dataset/call_kw",
                "lot.near.expiry.report",
                "web_search_read",
                [[]],
                {"specification": {"lot_id": {}, "days_left": {}, "value": {}}},
            ),
            (
                "/web/dataset/call_kw",
                "lot.fefo.compliance.report",
                "web_read_group",
                [[], ["quantity:sum"], ["product_id"]],
                {},
            ),
            (
                "/web/dataset/call_kw",
                "stock.lot",
                "web_search_read",
                [[("product_expiry_alert", "=", False), ("id", "=", lot.id)]],
                {"specification": {"lot_status": {}, "product_expiry_alert": {}}},
            ),
        ]
        for route, model, method, args, kwargs in calls:
            with self.subTest(method=f"{model}.{method}"):
                self.assertTrue(
                    getattr(self.env[model], method)._readonly, "served on a read-only cursor"
                )
                # A write on the read-only cursor is retried on a read/write one, with a
                # warning from odoo.http: none may be logged.
                with self.assertNoLogs("odoo.http", "WARNING"):
                    result = self.make_jsonrpc_request(
                        route, {"model": model, "method": method, "args": args, "kwargs": kwargs}
                    )
                self.assertTrue(result)
