import base64
import json
from datetime import timedelta

from markupsafe import Markup
from odoo import Command, api, fields, models
from odoo.addons.lot_traceability.tools.protected import code_defaults
from odoo.exceptions import AccessError, UserError
from odoo.models import GC_UNLINK_LIMIT
from odoo.tools import SQL

EXPORT_FORMATS = [
    ("fsma_xlsx", "FDA FSMA 204 spreadsheet (XLSX)"),
    ("fsma_csv", "FDA FSMA 204 spreadsheet (CSV)"),
    ("epcis", "GS1 EPCIS 2.0 (JSON-LD)"),
]
EXTENSIONS = {"fsma_xlsx": "xlsx", "fsma_csv": "csv", "epcis": "jsonld"}
# Exports of more move lines than this are built in the background (system parameter
# ``lot_recall.export_inline_max_rows``): the bench recall lot's 16,296 lines answer inline
# in a few seconds.
INLINE_MAX_ROWS = 50000
# Written by the export itself, never by the user.
BUILD_FIELDS = {
    "state",
    "attachment_id",
    "error_message",
    "company_ids",
    "build_attempts",
    "build_claim",
}
# Background builds of one export that may stop (worker killed, time or memory limit)
# before it is marked failed, and the minutes after which the cron looks again after such
# a stop.
MAX_BUILD_ATTEMPTS = 3
RETRY_MINUTES = 10
# Days a file built in the background stays downloadable from the link in its message
# (other dialogs go with Odoo's transient records, after an hour).
BACKGROUND_FILE_DAYS = 7


class LotRegulatorExport(models.TransientModel):
    """Traceability records for a regulator: the FDA FSMA 204 sortable spreadsheet or a GS1
    EPCIS 2.0 document of the critical tracking events of lots, for a recall or for any
    lots, products and dates."""

    _name = "lot.regulator.export"
    _description = "Regulator Traceability Export"

    recall_id = fields.Many2one(
        "lot.recall",
        readonly=True,
        help="Recall whose affected lots are exported; the file is also attached to it.",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        "lot_regulator_export_lot_rel",
        string="Lots",
        help="Lots whose receipts, transformations and shipments are exported.",
    )
    product_ids = fields.Many2many(
        "product.product",
        "lot_regulator_export_product_rel",
        string="Products",
        help="Every lot of these products is exported too (with the dates, the events of "
        "those days).",
    )
    date_from = fields.Date(string="From", help="First day of the events, included.")
    date_to = fields.Date(string="To", help="Last day of the events, included.")
    export_format = fields.Selection(
        EXPORT_FORMATS, string="Format", required=True, default="fsma_xlsx"
    )
    file_data = fields.Binary(string="File", readonly=True, attachment=False)
    file_name = fields.Char(readonly=True)
    row_count = fields.Integer(
        string="Records", readonly=True, help="Spreadsheet rows or EPCIS events in the file."
    )
    state = fields.Selection(
        [
            ("draft", "New"),
            ("queued", "Being built"),
            ("done", "Ready"),
            ("failed", "Failed"),
        ],
        default="draft",
        readonly=True,
        help="A large export is built in the background: you get a message with the "
        "download link when it is ready.",
    )
    company_ids = fields.Many2many(
        "res.company",
        "lot_regulator_export_company_rel",
        string="Companies",
        readonly=True,
        help="Companies selected when a background export was asked for.",
    )
    attachment_id = fields.Many2one("ir.attachment", string="File built", readonly=True)
    download_url = fields.Char(compute="_compute_download_url")
    error_message = fields.Text(readonly=True)
    build_attempts = fields.Integer(
        readonly=True, help="Background builds started for this export (at most three)."
    )
    build_claim = fields.Integer(
        readonly=True,
        help="Cron call (ir.cron.progress id) that counted the last build attempt: the "
        "build itself runs in the next call.",
    )

    @api.depends("attachment_id")
    def _compute_download_url(self):
        for wizard in self:
            attachment = wizard.attachment_id
            wizard.download_url = (
                f"/web/content/{attachment.id}?download=true" if attachment else False
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_build_fields(vals_list)
        return super().create(code_defaults(self, vals_list, BUILD_FIELDS))

    def write(self, vals):
        self._check_build_fields([vals])
        return super().write(vals)

    def _check_build_fields(self, vals_list):
        if not self.env.su and any(BUILD_FIELDS & set(vals) for vals in vals_list):
            raise AccessError(self.env._("Only the export itself sets its state and its file."))

    def _transient_clean_rows_older_than(self, seconds):
        """Odoo's vacuum of old dialogs, except that a queued export stays until it is
        built, and a file built in the background stays ``BACKGROUND_FILE_DAYS`` days for
        the link of its message."""
        seconds = max(seconds, 300)
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM lot_regulator_export
                 WHERE state != 'queued'
                   AND COALESCE(write_date, create_date) < (now() AT TIME ZONE 'UTC')
                       - CASE WHEN attachment_id IS NULL THEN %s ELSE %s END::interval
                 LIMIT %s
                """,
                f"{seconds} seconds",
                f"{BACKGROUND_FILE_DAYS} days",
                GC_UNLINK_LIMIT,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.sudo().browse(ids).unlink()
        if len(ids) >= GC_UNLINK_LIMIT:
            self.env.ref("base.autovacuum_job")._trigger()

    @api.private
    @api.model
    def action_open_for_lots(self, lots, recall=None):
        """Window action of the export wizard, prefilled with the lots (and the recall).

        :param lots: ``stock.lot`` recordset (e.g. a recall's affected lots)
        :param recall: optional ``lot.recall`` the export is made for
        """
        wizard = self.create(
            {
                "lot_ids": [Command.set(lots.ids)],
                "recall_id": recall.id if recall else False,
            }
        )
        return wizard._reopen()

    def _reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Regulator Export"),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def _export_lots(self):
        """The chosen lots and every lot of the chosen products.

        :raise AccessError: if the user may not read one of the chosen lots
        :raise UserError: if the export is a recall's and holds other lots than its
            affected lots (it is attached to the recall as what was sent for it)
        """
        self.ensure_one()
        # Read as the user, the field leaves such lots out (and caches that): read it all.
        self.invalidate_recordset(["lot_ids"])
        lots = self.sudo().lot_ids.with_env(self.env)
        lots.check_access("read")
        if self.recall_id:
            self.recall_id.check_access("read")
            outside = lots - self.recall_id.sudo().affected_lot_ids
            if outside or self.product_ids:
                raise UserError(
                    self.env._(
                        "The export of recall %(recall)s holds its affected lots only: "
                        "export %(lots)s without the recall.",
                        recall=self.recall_id.name,
                        lots=", ".join(outside.mapped("name")) or self.product_ids[:1].name,
                    )
                )
        if self.product_ids:
            lots |= self.env["stock.lot"].search([("product_id", "in", self.product_ids.ids)])
        return lots

    def action_export(self):
        """Build the file in the chosen format; with a recall, attach it to the recall too.

        An export of more move lines than the system parameter
        ``lot_recall.export_inline_max_rows`` (50,000) is queued instead: a cron builds it
        as this user and sends him a message with the download link. A user has one export
        queued at a time, so that one user's exports never hold up everybody else's.
        """
        self.ensure_one()
        if self.state == "queued":
            raise UserError(
                self.env._("This export is being built: a message brings its link when ready.")
            )
        if not (self.lot_ids or self.product_ids):
            raise UserError(self.env._("Choose the lots or the products to export."))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise UserError(self.env._("The first day must be before the last day."))
        lots = self._export_lots()
        env = self._export_env()
        count = env["lot.fsma.export"]._count_event_lines(lots.ids, self.date_from, self.date_to)
        if count > self._inline_max_rows():
            if self.search([("create_uid", "=", self.env.uid), ("state", "=", "queued")], limit=1):
                raise UserError(
                    self.env._(
                        "One of your exports is being built already: ask for this one when "
                        "its message has come."
                    )
                )
            self.sudo().write(
                {
                    "state": "queued",
                    "company_ids": [Command.set(self.env.companies.ids)],
                    "attachment_id": False,
                    "error_message": False,
                    "file_data": False,
                    "file_name": False,
                    "row_count": 0,
                    "build_attempts": 0,
                    "build_claim": 0,
                }
            )
            self.env.ref("lot_recall.ir_cron_regulator_export").sudo()._trigger()
            return self._reopen()
        content, count = self._build(lots, env)
        name = self._file_name()
        self.write({"file_data": base64.b64encode(content), "file_name": name, "row_count": count})
        self.sudo().write({"state": "done", "attachment_id": False, "error_message": False})
        if self.recall_id:
            self._attach_to_recall(content, name)
        return self._reopen()

    def _inline_max_rows(self):
        value = (
            self.env["ir.config_parameter"].sudo().get_param("lot_recall.export_inline_max_rows")
        )
        try:
            return int(value) if value else INLINE_MAX_ROWS
        except ValueError:
            return INLINE_MAX_ROWS

    def _build(self, lots, env):
        """(file content, number of records) of the export of ``lots`` in ``env``.

        :raise UserError: if there is nothing to export
        """
        if self.export_format == "epcis":
            document = env["lot.epcis.export"]._document(lots.ids, self.date_from, self.date_to)
            count = len(document["epcisBody"]["eventList"])
            content = json.dumps(document, indent=1, ensure_ascii=False).encode()
        else:
            fsma = env["lot.fsma.export"]
            rows = fsma._events(lots.ids, self.date_from, self.date_to)
            count = len(rows)
            if self.export_format == "fsma_xlsx":
                content = fsma._xlsx(rows)
            else:
                content = fsma._csv(rows)
        if not count:
            raise UserError(
                self.env._(
                    "These lots have no receipt, shipment or manufacturing in the chosen days: "
                    "there is nothing to export."
                )
            )
        return content, count

    @api.model
    def _cron_build_queued(self):
        """Cron *Regulator export: build large exports*: build the oldest queued export as
        its creator (his rights, his companies of the moment he asked), attach the file to
        it and send him the link.

        Run by the cron worker, each build takes two calls, which the cron commits apart:
        the first counts the attempt, the next builds. A build stopped before its end
        (worker killed, time or memory limit) leaves the export queued with its attempt
        counted: the cron tries again after ``RETRY_MINUTES``, and after
        ``MAX_BUILD_ATTEMPTS`` the export is marked failed and its creator told, so one
        export that cannot be built never holds up the others.
        """
        queued = self.sudo().search([("state", "=", "queued")], order="id")
        if not queued:
            return
        wizard = queued[0]
        cron = self.env["ir.cron"]
        user = wizard.create_uid
        if not user.active:
            wizard.write(
                {
                    "state": "failed",
                    "error_message": self.env._("The user who asked for this export left."),
                }
            )
            cron._notify_progress(done=1, remaining=len(queued) - 1)
            return
        companies = wizard.company_ids & user.company_ids
        if not companies:
            wizard.write(
                {
                    "state": "failed",
                    "error_message": self.env._(
                        "You are no longer allowed in the companies this export was asked for."
                    ),
                }
            )
            wizard.with_user(user)._notify_creator(
                self.env._(
                    "Your regulator export could not be built: %(error)s",
                    error=wizard.error_message,
                )
            )
            cron._notify_progress(done=1, remaining=len(queued) - 1)
            return
        mine = wizard.with_user(user).with_context(allowed_company_ids=companies.ids)
        progress_id = self.env.context.get("ir_cron_progress_id")
        if progress_id and wizard.build_claim != self._previous_cron_call(progress_id):
            if wizard.build_attempts >= MAX_BUILD_ATTEMPTS:
                message = self.env._(
                    "The export was stopped %(count)s times before it was done: it is too "
                    "large for the server's limits. Export fewer lots or products, or fewer "
                    "days.",
                    count=wizard.build_attempts,
                )
                wizard.write({"state": "failed", "error_message": message})
                mine._notify_creator(
                    mine.env._("Your regulator export could not be built: %(error)s", error=message)
                )
                cron._notify_progress(done=1, remaining=len(queued) - 1)
                return
            wizard.write({"build_attempts": wizard.build_attempts + 1, "build_claim": progress_id})
            self.env.ref("lot_recall.ir_cron_regulator_export").sudo()._trigger(
                fields.Datetime.now() + timedelta(minutes=RETRY_MINUTES)
            )
            cron._notify_progress(done=1, remaining=len(queued))
            return
        try:
            with self.env.cr.savepoint():
                mine._build_in_background()
        except (UserError, AccessError) as error:
            wizard.write({"state": "failed", "error_message": str(error)})
            mine._notify_creator(
                mine.env._("Your regulator export could not be built: %(error)s", error=str(error))
            )
        cron._notify_progress(done=1, remaining=len(queued) - 1)

    @api.model
    def _previous_cron_call(self, progress_id):
        """Id of the cron call (``ir.cron.progress``) before the call ``progress_id`` of the
        same cron: the claim of an export is the previous call's unless a build stopped in
        between (its call left its progress record)."""
        self.env.cr.execute(
            """
            SELECT MAX(earlier.id)
              FROM ir_cron_progress current
              JOIN ir_cron_progress earlier ON earlier.cron_id = current.cron_id
             WHERE current.id = %s AND earlier.id < current.id
            """,
            [progress_id],
        )
        return self.env.cr.fetchone()[0]

    def _build_in_background(self):
        """Build a queued export as its creator: the file is attached to the export (which
        only he can read), and to the recall if any."""
        self.ensure_one()
        lots = self._export_lots()
        content, count = self._build(lots, self._export_env())
        name = self._file_name()
        self.write({"file_name": name, "row_count": count})
        attachment = self.env["ir.attachment"].create(
            {"name": name, "raw": content, "res_model": self._name, "res_id": self.id}
        )
        self.sudo().write({"state": "done", "attachment_id": attachment.id})
        if self.recall_id:
            self._attach_to_recall(content, name)
        self._notify_creator(
            self.env._(
                "Your regulator export %(name)s is ready (%(count)s records).",
                name=name,
                count=count,
            ),
            url=f"{self.get_base_url()}{self.download_url}",
        )

    def _notify_creator(self, text, url=None):
        """Send the export's creator (the current user) ``text`` in a message, with a
        download link to ``url``."""
        body = Markup("<p>%s</p>") % text
        if url:
            body += Markup('<p><a href="%s">%s</a></p>') % (url, self.env._("Download"))
        self.env["mail.thread"].sudo().message_notify(
            partner_ids=self.env.user.partner_id.ids,
            subject=self.env._("Regulator export"),
            body=body,
        )

    def _export_env(self):
        """Environment of the export: the companies selected by the user or, for a recall,
        the recall's company only (another company's moves of the same lots are not part of
        this recall)."""
        if not self.recall_id:
            return self.env
        self.recall_id.check_access("read")
        return self.with_context(allowed_company_ids=self.recall_id.company_id.ids).env

    def _file_name(self):
        prefix = "epcis" if self.export_format == "epcis" else "fsma204"
        if self.recall_id:
            subject = self.recall_id.name
        elif len(self.lot_ids) == 1 and not self.product_ids:
            subject = self.lot_ids.name
        else:
            subject = "lots"
        days = "-".join(day.isoformat() for day in (self.date_from, self.date_to) if day)
        parts = [prefix, subject, days or fields.Date.context_today(self).isoformat()]
        name = "-".join(part for part in parts if part).replace("/", "-").replace(" ", "_")
        return f"{name}.{EXTENSIONS[self.export_format]}"

    def _attach_to_recall(self, content, name):
        """Keep what was sent to the regulator on the recall, with who made it and when."""
        recall = self.recall_id
        recall.check_access("read")
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create({"name": name, "raw": content, "res_model": recall._name, "res_id": recall.id})
        )
        formats = dict(self._fields["export_format"]._description_selection(self.env))
        recall.sudo().message_post(
            body=self.env._(
                "%(format)s exported: %(count)s records.",
                format=formats[self.export_format],
                count=self.row_count,
            ),
            attachment_ids=attachment.ids,
            subtype_xmlid="mail.mt_note",
        )
