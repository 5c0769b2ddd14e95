from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount

# Lot statuses shown as tiles, with their tone.
STATUS_TILES = (("quarantine", "warning"), ("blocked", "danger"), ("recalled", "danger"))
# Open recalls listed on their tile.
RECALLS_LISTED = 5
# Days of deliveries the FEFO compliance rate covers.
FEFO_DAYS = 90
# Groups that see money.
ACCOUNTING_GROUPS = ("account.group_account_readonly", "account.group_account_manager")


class LotTraceDashboard(models.AbstractModel):
    """The state of lot traceability at a glance, for the dashboard of the Inventory app.

    Every figure is read as the user, so it keeps to the user's allowed companies and
    rights; each tile carries the window action of the records it counts.
    """

    _name = "lot.trace.dashboard"
    _description = "Traceability Dashboard"

    @api.readonly
    @api.model
    def get_tiles(self):
        """The dashboard's sections of tiles: lot statuses, expiring stock per alert
        horizon (with its value at cost for accounting users), open recalls with their
        recovered %, the last mock recall against its target and the FEFO compliance
        rate. Inventory users only.

        :return: {"sections": [{"key", "title", "tiles": [{"key", "label", "value",
            "count", "detail", "tone", "action", "lines"}]}]}
        """
        if not self.env.user.has_group("stock.group_stock_user"):
            raise AccessError(self.env._("The traceability dashboard is for inventory users."))
        sections = [
            {
                "key": "status",
                "title": self.env._("Lot Status"),
                "tiles": self._lot_status_tiles(),
            },
            {
                "key": "expiry",
                "title": self.env._("Expiring Stock"),
                "tiles": self._lot_expiry_tiles(),
            },
        ]
        if self.env.user.has_group("lot_recall.group_recall_user"):
            sections.append(
                {
                    "key": "recall",
                    "title": self.env._("Recalls"),
                    "tiles": [self._lot_open_recalls_tile(), self._lot_mock_recall_tile()],
                }
            )
        sections.append(
            {
                "key": "fefo",
                "title": self.env._("FEFO"),
                "tiles": [self._lot_fefo_tile()],
            }
        )
        return {"sections": sections}

    # ------------------------------------------------------------------ tiles

    def _lot_tile(self, key, label, count, action, value=None, detail="", tone="", lines=()):
        return {
            "key": key,
            "label": label,
            "count": count,
            "value": str(count) if value is None else value,
            "detail": detail,
            "tone": tone,
            "action": action,
            "lines": list(lines),
        }

    def _lot_action(self, name, model, domain, views=("list", "form"), context=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "views": [[False, view] for view in views],
            "domain": domain,
            "context": context or {},
            "target": "current",
        }

    def _lot_status_tiles(self):
        Lot = self.env["stock.lot"]
        labels = dict(Lot._fields["lot_status"]._description_selection(self.env))
        tiles = []
        for status, tone in STATUS_TILES:
            domain = [("lot_status", "=", status)]
            count = Lot.search_count(domain)
            tiles.append(
                self._lot_tile(
                    status,
                    labels[status],
                    count,
                    self._lot_action(self.env._("Lots: %s", labels[status]), "stock.lot", domain),
                    detail=self.env._("lots"),
                    tone=tone if count else "",
                )
            )
        return tiles

    def _lot_expiry_horizons(self):
        """The alert horizons of the user's allowed companies, largest first."""
        horizons = set()
        for company in self.env.companies:
            horizons.update(company._lot_expiry_horizons())
        return sorted(horizons, reverse=True)

    def _lot_expiry_tiles(self):
        """Per alert horizon, the dated lots in stock whose last day of use is within it
        (not expired), with the value at cost of that stock for accounting users."""
        Report = self.env["lot.near.expiry.report"]
        see_value = any(self.env.user.has_group(group) for group in ACCOUNTING_GROUPS)
        tiles = []
        for horizon in self._lot_expiry_horizons():
            domain = [("days_left", ">=", 0), ("days_left", "<=", horizon)]
            [(count,)] = Report._read_group(domain, aggregates=["lot_id:count_distinct"])
            detail = self.env._("lots in stock")
            if see_value:
                # The value field is for stock managers: read it as superuser, in the
                # user's companies, for accounting users.
                values = Report.sudo()._read_group(
                    domain + [("company_id", "in", self.env.companies.ids)],
                    groupby=["currency_id"],
                    aggregates=["value:sum"],
                )
                detail = ", ".join(
                    format_amount(self.env, amount, currency) for currency, amount in values
                ) or format_amount(self.env, 0.0, self.env.company.currency_id)
            tiles.append(
                self._lot_tile(
                    f"expiry_{horizon}",
                    self.env._("Expiring within %s days", horizon),
                    count,
                    self._lot_action(
                        self.env._("Stock expiring within %s days", horizon),
                        "lot.near.expiry.report",
                        domain,
                        views=("list", "pivot", "graph"),
                        context={"search_default_group_warehouse": 1},
                    ),
                    detail=detail,
                    tone="warning" if count else "",
                )
            )
        return tiles

    def _lot_open_recalls_tile(self):
        """Recalls and withdrawals not closed nor cancelled, the latest with their
        recovered %."""
        Recall = self.env["lot.recall"]
        domain = [("state", "in", ("draft", "scoped", "in_progress")), ("kind", "!=", "mock")]
        count = Recall.search_count(domain)
        lines = [
            {
                "label": recall.name,
                "value": self.env._("%s %% recovered", round(recall.recovered_percent, 1)),
                "action": {
                    "type": "ir.actions.act_window",
                    "res_model": "lot.recall",
                    "res_id": recall.id,
                    "views": [[False, "form"]],
                    "target": "current",
                },
            }
            for recall in Recall.search(domain, limit=RECALLS_LISTED)
        ]
        return self._lot_tile(
            "open_recalls",
            self.env._("Open Recalls"),
            count,
            self._lot_action(self.env._("Open Recalls"), "lot.recall", domain),
            detail=self.env._("recalls and withdrawals"),
            tone="danger" if count else "",
            lines=lines,
        )

    def _lot_mock_recall_tile(self):
        """The last mock recall traced: its time to trace against its target."""
        Recall = self.env["lot.recall"]
        domain = [("kind", "=", "mock")]
        last = Recall.search(
            domain + [("date_traced", "!=", False)], order="date_traced desc, id desc", limit=1
        )
        target = last.mock_target_hours or self.env.company.lot_recall_mock_target_hours
        if last:
            value = self.env._("%s h", round(last.trace_duration, 2))
            detail = self.env._(
                "%(recall)s: traced in %(hours)s h of a %(target)s h target",
                recall=last.name,
                hours=round(last.trace_duration, 2),
                target=round(target, 2),
            )
            tone = "success" if last.mock_result == "passed" else "danger"
        else:
            value, tone = "-", ""
            detail = self.env._("No mock recall traced yet (target %s h)", round(target, 2))
        return self._lot_tile(
            "mock_recall",
            self.env._("Last Mock Recall"),
            len(last),
            self._lot_action(self.env._("Mock Recalls"), "lot.recall", domain),
            value=value,
            detail=detail,
            tone=tone,
        )

    def _lot_fefo_tile(self):
        """Share of the deliveries of dated lots of the last days that kept to FEFO."""
        since = fields.Datetime.to_string(fields.Datetime.now() - timedelta(days=FEFO_DAYS))
        deliveries = self.env["stock.move.line"].search_count(
            [
                ("state", "=", "done"),
                ("date", ">=", since),
                ("location_dest_id.usage", "=", "customer"),
                ("location_id.usage", "=", "internal"),
                ("location_id.warehouse_id", "!=", False),
                ("lot_id.expiration_date", "!=", False),
                ("product_id.use_expiration_date", "=", True),
            ]
        )
        domain = [("date", ">=", since)]
        violations = self.env["lot.fefo.compliance.report"].search_count(domain)
        rate = 100.0 * (deliveries - violations) / deliveries if deliveries else 100.0
        return self._lot_tile(
            "fefo",
            self.env._("FEFO Compliance"),
            violations,
            self._lot_action(
                self.env._("FEFO Violations"),
                "lot.fefo.compliance.report",
                domain,
                views=("list", "pivot", "graph"),
            ),
            value=f"{round(max(rate, 0.0), 1)} %",
            detail=self.env._(
                "%(violations)s of %(deliveries)s deliveries of dated lots broke FEFO in "
                "the last %(days)s days",
                violations=violations,
                deliveries=deliveries,
                days=FEFO_DAYS,
            ),
            tone="success" if not violations else "warning",
        )
