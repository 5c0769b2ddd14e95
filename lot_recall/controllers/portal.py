from urllib.parse import urlencode

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.tools import consteq

from ..models.lot_recall_customer import (
    PORTAL_FILE_SIZE_MAX,
    PORTAL_FILES_MAX,
    PORTAL_NOTE_MAX,
    PORTAL_RESPONSES,
)


class RecallResponsePortal(http.Controller):
    """The page where a notified customer answers a recall, reached by the link of the
    notification: the customer line's access token, no login."""

    def _recall_customer(self, customer_id, access_token):
        """The customer line (as superuser) if the token is its own and the recall still
        takes answers; else a 404 that tells nothing."""
        customer = request.env["lot.recall.customer"].sudo().browse(customer_id).exists()
        if not (
            customer
            and access_token
            and customer.access_token
            and consteq(customer.access_token, str(access_token))
            and customer._lot_portal_is_open()
        ):
            raise request.not_found()
        return customer

    def _render_page(self, customer, access_token, form=None, error=None, answered=False):
        recall = customer.recall_id
        responses = dict(customer._fields["response"]._description_selection(request.env))
        return request.render(
            "lot_recall.recall_response_page",
            {
                "customer": customer,
                "recall": recall,
                "res_company": recall.company_id,
                "access_token": access_token,
                "responses": [(key, responses[key]) for key in PORTAL_RESPONSES],
                "form": form
                or {
                    "response": customer.response if customer.response != "pending" else "",
                    "on_hand": customer.reported_on_hand_quantity,
                    "destroyed": customer.destroyed_quantity,
                    "returning": customer.reported_returning_quantity,
                    "note": customer.response_note or "",
                },
                "error": error,
                "answered": answered,
                "note_max": PORTAL_NOTE_MAX,
                "files_max": PORTAL_FILES_MAX,
            },
            status=400 if error else 200,
        )

    @http.route(
        "/recall/response/<int:customer_id>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def recall_response(self, customer_id, access_token=None, answered=None, **kwargs):
        """The recall, the customer's deliveries of its lots and the answer form."""
        customer = self._recall_customer(customer_id, access_token)
        return self._render_page(customer, access_token, answered=bool(answered))

    @http.route(
        "/recall/response/<int:customer_id>",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def recall_response_submit(self, customer_id, access_token=None, **post):
        """Record the customer's answer (checked as a whole, nothing saved on an error)."""
        customer = self._recall_customer(customer_id, access_token)
        files = [
            (upload.filename, upload.read(PORTAL_FILE_SIZE_MAX + 1))
            # one file more than accepted, to refuse too many files without reading them all
            for upload in request.httprequest.files.getlist("attachments")[: PORTAL_FILES_MAX + 1]
        ]
        form = {
            key: post.get(key, "")
            for key in ("response", "on_hand", "destroyed", "returning", "note")
        }
        try:
            customer._lot_portal_respond(form, files)
        except ValidationError as error:
            form["note"] = form["note"][:PORTAL_NOTE_MAX]
            return self._render_page(customer, access_token, form=form, error=error.args[0])
        query = urlencode({"access_token": access_token, "answered": 1})
        return request.redirect(f"{customer.access_url}?{query}")
