import functools
import json
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from .common import RecallCase

# (model, method) of the recall suite's reads that a replica may serve.
READONLY_METHODS = [
    ("lot.recall", "action_view_affected_lots"),
    ("lot.recall", "action_view_customers"),
    ("lot.recall", "action_view_deliveries"),
    ("lot.recall", "action_view_returns"),
    ("stock.lot", "action_view_lot_recalls"),
    ("res.partner", "action_view_lot_recalls"),
    ("lot.trace.dashboard", "get_tiles"),
]


@tagged("post_install", "-at_install")
class TestRecallReadonly(RecallCase, HttpCase):
    """The recall's reads are ``@api.readonly``: over RPC they run on a read-only cursor (a
    replica's, with ``db_replica_host``), where any write would fail."""

    def _call(self, model, method, args, route="call_button"):
        response = self.url_open(
            f"/web/dataset/{route}",
            data=json.dumps(
                {"params": {"model": model, "method": method, "args": args, "kwargs": {}}}
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        payload = response.json()
        self.assertNotIn("error", payload, (model, method))
        return payload["result"]

    def test_recall_reads_run_on_a_read_only_cursor(self):
        recall = self._scoped()
        recall.action_notify_customers()
        recall.action_create_returns()
        seen = {}

        def spy(model, method):
            model_class = self.env.registry[model]
            original = getattr(model_class, method)

            @functools.wraps(original)  # with its decorators' marks (_readonly, _api)
            def spied(records, *args, **kwargs):
                seen[model, method] = records.env.cr.readonly
                return original(records, *args, **kwargs)

            return patch.object(model_class, method, spied)

        self.authenticate(self.reader.login, self.reader.login)
        arguments = {
            "lot.recall": [recall.ids],
            "stock.lot": [self.cake.ids],
            "res.partner": [self.hospital.ids],
            "lot.trace.dashboard": [],
        }
        results = {}
        for model, method in READONLY_METHODS:
            with self.subTest(method=f"{model}.{method}"), spy(model, method):
                results[model, method] = self._call(model, method, arguments[model])
        self.assertEqual(seen, dict.fromkeys(READONLY_METHODS, True))
        self.assertEqual(
            results["lot.recall", "action_view_customers"]["domain"],
            [["recall_id", "=", recall.id]],
        )
        self.assertEqual(
            results["lot.recall", "action_view_returns"]["domain"],
            [["lot_recall_id", "=", recall.id]],
        )
        self.assertEqual(
            results["res.partner", "action_view_lot_recalls"]["domain"],
            [["customer_ids.partner_id", "=", self.hospital.id]],
        )
        # The recall form's job progress is read on the read-only cursor too.
        values = self._call("lot.recall", "read", [recall.ids, ["notify_progress"]], "call_kw")
        self.assertEqual(values[0]["notify_progress"], "13 of 13")

    def test_a_read_that_wrote_would_be_seen(self):
        """What the test above relies on: a method marked read-only that writes fails on
        the read-only cursor and Odoo runs it again on a read/write one; the spy would see
        that second call."""
        recall = self._scoped()
        self.authenticate(self.manager.login, self.manager.login)
        original = self.env.registry["lot.recall"].action_view_customers
        seen = []

        @functools.wraps(original)
        def writing(records):
            seen.append(records.env.cr.readonly)
            records.sudo()._recall_write({"date_blocked": "2026-01-01 00:00:00"})
            records.env.flush_all()
            return original(records)

        with patch.object(self.env.registry["lot.recall"], "action_view_customers", writing):
            self._call("lot.recall", "action_view_customers", [recall.ids])
        self.assertEqual(seen, [True, False])
