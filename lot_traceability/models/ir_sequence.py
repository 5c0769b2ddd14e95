from odoo import fields, models

from .lot_numbering_rule import period_bounds


class IrSequence(models.Model):
    _inherit = "ir.sequence"

    def _create_date_range_seq(self, date):
        """Create the period of a lot numbering sequence: a year, month or day.

        The period is the reset of the lot numbering rule owning the sequence (never a
        context key a client could send for another sequence); lot numbering creates the
        range when a counter is first used (see ``LotNumberingRule._counter_name``).
        """
        rule = (
            self.env["lot.numbering.rule"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    "|",
                    ("sequence_id", "in", self.ids),
                    ("product_sequence_ids.sequence_id", "in", self.ids),
                ],
                limit=1,
            )
        )
        reset = rule.reset
        if reset not in ("yearly", "monthly", "daily"):
            return super()._create_date_range_seq(date)
        self.ensure_one()
        date = fields.Date.to_date(date)
        date_from, date_to = period_bounds(date, reset)
        return (
            self.env["ir.sequence.date_range"]
            .sudo()
            .create(
                {
                    "sequence_id": self.id,
                    "date_from": date_from,
                    "date_to": date_to,
                    "number_next": 1,
                }
            )
        )
