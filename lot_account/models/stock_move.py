from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _lot_write_off_kind(self, lots):
        """ "recalled", "expired" or False: why these scrapped lots are written off."""
        if not lots:
            return False
        if any(lot.lot_status == "recalled" for lot in lots):
            return "recalled"
        if all(lot.lot_status == "expired" or lot.product_expiry_alert for lot in lots):
            return "expired"
        return False

    def _lot_write_off_recall(self, lots):
        """The recall under way (not a mock) whose scope holds these recalled lots; the one
        named in the scrap's source document when several do."""
        recalls = (
            self.env["lot.recall"]
            .sudo()
            .search(
                [
                    ("affected_lot_ids", "in", lots.ids),
                    ("state", "in", ("scoped", "in_progress")),
                    ("kind", "!=", "mock"),
                    ("company_id", "=", self.company_id.id),
                ]
            )
        )
        origin = self.scrap_id.origin or self.origin or ""
        named = recalls.filtered(lambda recall: recall.name in origin)
        return (named or recalls)[:1]

    def _account_entry_move(self, qty, description, svl_id, cost):
        """Scrap of expired or recalled lots: debit the write-off account of the layer's
        lots (one journal entry per layer, so per lot when valued by lot) and, for recalled
        lots, name and link the recall on the entry."""
        self.ensure_one()
        # The write-off keys are decided here only, never taken from the caller's context.
        context = {"lot_write_off_kind": False, "lot_write_off_recall_id": False}
        layer = self.env["stock.valuation.layer"].sudo().browse(svl_id)
        lots = (layer.lot_id or self.move_line_ids.lot_id) if self.scrapped else layer.lot_id[:0]
        kind = self._lot_write_off_kind(lots)
        context["lot_write_off_kind"] = kind
        if kind == "recalled":
            recalled = lots.filtered(lambda lot: lot.lot_status == "recalled")
            recall = self._lot_write_off_recall(recalled)
            if recall:
                description = f"{description} - {recall.name}"
                context["lot_write_off_recall_id"] = recall.id
        return super(StockMove, self.with_context(**context))._account_entry_move(
            qty, description, svl_id, cost
        )

    def _get_dest_account(self, accounts_data):
        """Expired lots scrapped go to the expired stock loss account, recalled lots to the
        recall cost account; without those accounts, Odoo's scrap account."""
        kind = self.scrapped and self.env.context.get("lot_write_off_kind")
        company = self.company_id
        account = {
            "expired": company.lot_expired_loss_account_id,
            "recalled": company.lot_recall_cost_account_id,
        }.get(kind)
        if account:
            return account.id
        return super()._get_dest_account(accounts_data)

    def _prepare_account_move_vals(
        self, credit_account_id, debit_account_id, journal_id, qty, description, svl_id, cost
    ):
        vals = super()._prepare_account_move_vals(
            credit_account_id, debit_account_id, journal_id, qty, description, svl_id, cost
        )
        recall_id = self.scrapped and self.env.context.get("lot_write_off_recall_id")
        if recall_id:
            vals["lot_recall_id"] = recall_id
        return vals
