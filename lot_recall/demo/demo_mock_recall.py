from datetime import timedelta

from markupsafe import Markup
from odoo import api, models


class LotTraceabilityDemo(models.AbstractModel):
    """Last month's mock recall of the demo bakery, run to the end.

    The caster sugar lot RM-SUG-001 went into both cake lots and the cookies: the mock
    recall traced it, noted what it would block, notify and take back, reviewed its
    effectiveness and was closed. Its dates are those of an exercise held 30 days ago,
    traced in 1 h 25 min: within the company's 4-hour target.
    """

    _inherit = "lot.traceability.demo"

    @api.model
    def _run_finished_mock_recall(self):
        """Create, run and close the finished mock recall; return it."""
        recall = self.env["lot.recall"].create(
            {
                "kind": "mock",
                "reason": self.env._(
                    "Mock recall of the quarter (BRCGS 3.9.3): foreign matter assumed in "
                    "caster sugar lot GFM-S0912."
                ),
                "scope_type": "lots",
                "scope_lot_ids": [self._demo_ref("lot_sugar_1").id],
                "user_id": self.env.ref("base.user_admin").id,
            }
        )
        recall.action_compute_scope()
        recall.action_start()
        recall.action_block_stock()
        recall.action_notify_customers()
        recall.action_create_returns()
        recall.action_review_effectiveness()
        recall.corrective_action = Markup("<p>%s</p>") % self.env._(
            "Sieve checks on the sugar intake logged per lot; the supplier's contact list "
            "for recalls updated."
        )
        recall.action_close()
        started = self._backdate(30).replace(hour=9)
        recall.sudo().write(
            {
                "date_started": started,
                "date_traced": started + timedelta(hours=1, minutes=25),
                "date_blocked": started + timedelta(hours=1, minutes=40),
                "date_notified": started + timedelta(hours=2, minutes=10),
                "date_returns": started + timedelta(hours=2, minutes=30),
                "effectiveness_review_date": started + timedelta(days=2),
                "date_closed": started + timedelta(days=2, hours=1),
            }
        )
        return recall
