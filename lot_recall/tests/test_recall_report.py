import re

from odoo.tests import tagged

from .common import RecallCase


@tagged("post_install", "-at_install")
class TestRecallReport(RecallCase):
    """The recall summary auditors receive, as HTML and PDF."""

    def _flush_tracking(self):
        """State changes are written to the chatter when the transaction commits."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _report(self):
        return self.env.ref("lot_recall.action_report_recall_summary")

    def test_summary_holds_scope_customers_actions_effectiveness_and_timeline(self):
        recall = self._recall(authority_reference="FDA-2026-0042", recall_class="1")
        self._flush_tracking()
        recall.action_compute_scope()
        self._flush_tracking()
        recall.action_block_stock()
        self._flush_tracking()
        recall.action_notify_customers()
        self._customer(recall, self.hotel).write(
            {"response": "destroyed", "destroyed_quantity": 50}
        )
        recall.action_review_effectiveness()
        recall.corrective_action = "<p>Supplier audit of Golden Fields Mill.</p>"
        recall.action_close()
        self._flush_tracking()
        html, report_type = (
            self._report()
            .with_user(self.reader)
            ._render_qweb_html(self._report().report_name, recall.ids)
        )
        self.assertEqual(report_type, "html")
        html = html.decode()
        for text in (
            recall.name,
            "FDA-2026-0042",
            "Class I",
            "RM-FLR-001",
            "WIP-DGH-001",
            "FG-COO-001",
            "City Hospital Catering",
            self._customer(recall, self.hospital).delivery_line_ids.picking_id.name,
            "Destroyed On Site",
            "Supplier audit of Golden Fields Mill",
            "State: Scoped",
            "State: In Progress",
            "State: Closed",
            "4 lots set to Recalled",
            "13 customers notified by email",
            "Response of Hotel Lumière: Destroyed On Site",
            # The lowest of the products' (cookies), never kg and units added up.
            "Effectiveness reviewed: 25.00 % recovered (the lowest of its products: "
            "[FG-CAK] Chocolate Cake: 80.0 of 300.0 Units (26.67 %)",
        ):
            with self.subTest(text=text):
                self.assertIn(text, html)
        # Effectiveness per product, each in its unit: kg of flour and cakes are never added.
        table = html[html.index('id="effectiveness"') :]
        table = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table[: table.index("</table>")]))
        for row in (
            # 300 cakes made; 10 returned, 50 destroyed by the hotel, 20 blocked in stock.
            "[FG-CAK] Chocolate Cake Units 300.00 280.00 10.00 50.00 20.00 80.00 220.00 26.67 %",
            "[FG-COO] Butter Cookies (box) Units 400.00 300.00 0.00 0.00 100.00 100.00 300.00",
            # 320 kg of flour not consumed into other affected lots, all blocked in stock.
            "[RM-FLR] Wheat Flour T55 kg 320.00 0.00 0.00 0.00 320.00 320.00 0.00 100.00 %",
        ):
            with self.subTest(row=row):
                self.assertIn(row, table)
        self.assertNotIn("1,020.00", html)

    def test_summary_pdf(self):
        recall = self._scoped(kind="mock")
        pdf, report_type = (
            self._report()
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(self._report().report_name, recall.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        html = self._report()._render_qweb_html(self._report().report_name, recall.ids)[0]
        self.assertIn(b"PASSED", html)
