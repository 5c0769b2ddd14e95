from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

# What signs and dates a message: the recall summary reads the events of a recall from its
# chatter, by date, author and field changes.
SIGNATURE_FIELDS = {"author_id", "author_guest_id", "date", "create_date", "tracking_value_ids"}
# What a message of a recall holds, which stays as it was written.
HISTORY_FIELDS = SIGNATURE_FIELDS | {
    "body",
    "subject",
    "attachment_ids",
    "model",
    "res_id",
    "subtype_id",
    "message_type",
}
# A new message is dated when it is written, give or take this.
DATE_TOLERANCE = timedelta(minutes=1)


class MailMessage(models.Model):
    """The chatter of a recall is its history: a user's messages there are his own,
    dated when written, without field changes, and stay as written. Only the superuser
    (the suite's actions, the mail gateway, the chatter's own edits) does otherwise."""

    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        messages = super().create(vals_list)
        if not self.env.su:
            now = fields.Datetime.now()
            forged = messages.filtered(
                lambda message: (
                    message.model == "lot.recall"
                    and (
                        message.author_id != self.env.user.partner_id
                        or message.author_guest_id
                        or abs(message.date - now) > DATE_TOLERANCE
                        or message.sudo().tracking_value_ids
                    )
                )
            )
            if forged:
                forged._lot_refuse_history()
        return messages

    def write(self, vals):
        if (
            not self.env.su
            and HISTORY_FIELDS & set(vals)
            and (vals.get("model") == "lot.recall" or self._lot_recall_messages())
        ):
            self._lot_refuse_history()
        return super().write(vals)

    def unlink(self):
        if not self.env.su and self._lot_recall_messages():
            self._lot_refuse_history()
        return super().unlink()

    def _lot_recall_messages(self):
        return self.sudo().filtered(lambda message: message.model == "lot.recall")

    def _lot_refuse_history(self):
        raise AccessError(
            self.env._(
                "The history of a recall is kept as written: a message there is yours, "
                "dated now, and is not changed afterwards."
            )
        )
