import base64
import re

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import RecallCase

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def answer(**values):
    """The response page's form, as strings."""
    form = {"response": "destroyed", "on_hand": "0", "destroyed": "0", "returning": "0"}
    form.update(values)
    return form


@tagged("post_install", "-at_install")
class TestRecallResponse(RecallCase):
    """The customer's answer from the link of its notification: what it writes, what it
    refuses, who sees the link."""

    def setUp(self):
        super().setUp()
        self.recall = self._scoped()
        self.recall.with_user(self.manager).action_notify_customers()
        # The hospital received 30 cakes of lot FG-CAK-001.
        self.hospital_line = self._customer(self.recall, self.hospital)

    def _as_page(self, customer):
        """The customer line as the response page's controller has it: the public user,
        as superuser."""
        public = self.env.ref("base.public_user")
        return customer.with_user(public).sudo()

    def test_notification_carries_the_link(self):
        token = self.hospital_line.sudo().access_token
        self.assertTrue(token)
        notice = self.recall.message_ids.filtered(
            lambda message: message.partner_ids == self.hospital
        )
        link = f"/recall/response/{self.hospital_line.id}?access_token={token}"
        self.assertIn(
            link, self.env["mail.mail"].search([("mail_message_id", "=", notice.id)]).body_html
        )
        # The recall's chatter, which every Recall User reads, keeps the notice but not the
        # customer's secret link.
        self.assertIn(self.recall.name, notice.body)
        self.assertNotIn(token, notice.body)
        self.assertFalse(self.recall.message_ids.filtered(lambda message: token in message.body))
        # Each customer its own token.
        supermart = self._customer(self.recall, self.supermart)
        self.assertNotEqual(supermart.sudo().access_token, token)

    def test_answer_updates_the_line_effectiveness_and_chatter(self):
        cake = self.cake.product_id

        def cakes_destroyed():
            self.recall.invalidate_recordset()
            products = self.recall._effectiveness()["products"]
            return next(group["destroyed"] for group in products if group["product"] == cake)

        before = cakes_destroyed()
        self._as_page(self.hospital_line)._lot_portal_respond(
            answer(
                response="destroyed",
                on_hand="5",
                destroyed="20",
                returning="5",
                note="<script>alert(1)</script> Binned on site",
            ),
            # The name does not decide the type: a photo named as a web page stays a photo.
            [("photo.html", PNG), ("certificate.pdf", PDF)],
        )
        line = self.hospital_line
        self.assertEqual(line.response, "destroyed")
        self.assertEqual(line.destroyed_quantity, 20)
        self.assertEqual(line.reported_on_hand_quantity, 5)
        self.assertEqual(line.reported_returning_quantity, 5)
        self.assertTrue(line.response_date)
        self.assertAlmostEqual(line.recovered_percent, 66.67)
        # The recall's effectiveness of the cakes the hospital received.
        self.assertEqual(cakes_destroyed(), before + 20)
        # The chatter names the customer as author, escapes what it wrote, and keeps the
        # documents.
        note, documents = self.recall.message_ids[:2].sorted("id")
        self.assertEqual(note.author_id, self.hospital)
        self.assertIn("20.0 destroyed on site", note.body)
        self.assertIn("5.0 on hand, 5.0 being returned", note.body)
        self.assertIn("&lt;script&gt;", note.body)
        self.assertNotIn("<script>", note.body)
        self.assertEqual(documents.author_id, self.hospital)
        self.assertEqual(
            sorted(documents.attachment_ids.mapped("mimetype")), ["application/pdf", "image/png"]
        )
        self.assertEqual(
            sorted(documents.attachment_ids.mapped("name")), ["certificate.pdf", "photo.png"]
        )
        self.assertEqual(documents.attachment_ids.mapped("res_model"), ["lot.recall"] * 2)

    def test_hostile_answers_are_refused_and_nothing_is_saved(self):
        page = self._as_page(self.hospital_line)
        cases = [
            (answer(response="pending"), [], "Choose what you did"),
            (answer(response="x' OR 1=1"), [], "Choose what you did"),
            (answer(destroyed="-1"), [], "from 0 to 30"),
            (answer(destroyed="31"), [], "from 0 to 30"),
            (answer(on_hand="1e308"), [], "from 0 to 30"),
            (answer(returning="nan"), [], "from 0 to 30"),
            (answer(returning="inf"), [], "from 0 to 30"),
            (answer(destroyed="ten"), [], "from 0 to 30"),
            (answer(note="x" * 2001), [], "under 2000 characters"),
            (answer(), [("page.html", b"<html><script>alert(1)</script></html>")], "not a PDF"),
            (answer(), [("a.png", PNG)] * 4, "at most 3 files"),
            (answer(), [("big.pdf", PDF + b"0" * (10 * 1024 * 1024))], "too large"),
        ]
        messages = len(self.recall.message_ids)
        for form, files, error in cases:
            with self.subTest(form=form, files=[name for name, _content in files]):
                with self.assertRaisesRegex(ValidationError, error):
                    page._lot_portal_respond(form, files)
        line = self.hospital_line
        self.assertEqual(line.response, "pending")
        self.assertEqual(line.destroyed_quantity, 0)
        self.assertFalse(line.response_date)
        self.assertEqual(len(self.recall.message_ids), messages)
        self.assertFalse(
            self.env["ir.attachment"].search(
                [("res_model", "=", "lot.recall"), ("res_id", "=", self.recall.id)]
            )
        )

    def test_closed_or_cancelled_recall_takes_no_answer(self):
        self.assertTrue(self.hospital_line._lot_portal_is_open())
        self.recall._recall_write({"state": "cancelled"})
        self.assertFalse(self.hospital_line._lot_portal_is_open())
        with self.assertRaisesRegex(ValidationError, "no longer takes answers"):
            self._as_page(self.hospital_line)._lot_portal_respond(answer(), [])

    def test_only_recall_managers_see_or_mint_the_link(self):
        as_reader = self.hospital_line.with_user(self.reader)
        with self.assertRaises(AccessError):
            as_reader.read(["access_token"])
        # A Recall User cannot mint the token of a customer not notified yet either.
        hotel = self._customer(self.recall, self.hotel)
        with self.assertRaises(AccessError):
            hotel.with_user(self.reader).get_portal_url()
        self.assertIn("access_token=", self.hospital_line.with_user(self.manager).get_portal_url())
        # Nor write the customer's reports outside the response fields.
        with self.assertRaises(AccessError):
            self.hospital_line.with_user(self.manager).write({"delivered_quantity": 1})


@tagged("post_install", "-at_install")
class TestRecallResponsePage(HttpCase):
    """The response page over HTTP: the right token only, while the recall is under way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        manager = new_test_user(
            cls.env,
            login="recall_page_manager",
            groups="lot_recall.group_recall_manager,stock.group_production_lot",
        )
        cls.recall = (
            cls.env["lot.recall"]
            .with_user(manager)
            .create(
                {
                    "reason": "Salmonella found in supplier flour",
                    "scope_lot_ids": [(6, 0, cls.env.ref("lot_traceability.lot_flour_1").ids)],
                }
            )
        )
        cls.recall.action_compute_scope()
        cls.recall.action_notify_customers()
        hospital = cls.env.ref("lot_traceability.cust_city_hospital")
        cls.line = cls.recall.customer_ids.filtered(lambda c: c.partner_id == hospital)
        cls.other = cls.recall.customer_ids.filtered(
            lambda c: c.partner_id == cls.env.ref("lot_traceability.cust_supermart")
        )

    def _url(self, line, token):
        return f"/recall/response/{line.id}?access_token={token}"

    def test_right_token_shows_the_customer_its_deliveries(self):
        response = self.url_open(self._url(self.line, self.line.sudo().access_token))
        self.assertEqual(response.status_code, 200)
        self.assertIn("City Hospital Catering", response.text)
        self.assertIn("FG-CAK-001", response.text)
        self.assertNotIn("FG-COO-001", response.text)
        self.assertNotIn(self.other.partner_id.name, response.text)

    @mute_logger("odoo.http")
    def test_wrong_token_is_refused(self):
        token = self.line.sudo().access_token
        self.assertEqual(self.url_open(self._url(self.line, token)).status_code, 200)
        for url in (
            self._url(self.line, "wrong"),
            self._url(self.line, ""),
            f"/recall/response/{self.line.id}",
            # another customer's token does not open this line
            self._url(self.line, self.other.sudo().access_token),
            self._url(self.other, token),
            self._url(self.line, token.upper()),
            f"/recall/response/999999999?access_token={token}",
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("City Hospital Catering", response.text)
        # Posting with a wrong token writes nothing either.
        response = self.url_open(
            self._url(self.line, "wrong"),
            data={"response": "destroyed", "destroyed": "30", "csrf_token": "x"},
        )
        self.assertIn(response.status_code, (400, 404))
        self.assertEqual(self.line.destroyed_quantity, 0)

    @mute_logger("odoo.http")
    def test_token_expires_when_the_recall_closes(self):
        url = self._url(self.line, self.line.sudo().access_token)
        self.assertEqual(self.url_open(url).status_code, 200)
        self.recall._recall_write({"state": "closed"})
        response = self.url_open(url)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("City Hospital Catering", response.text)

    @mute_logger("odoo.http")
    def test_post_answer_with_csrf_token(self):
        url = self._url(self.line, self.line.sudo().access_token)
        page = self.url_open(url).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"response": "returning", "on_hand": "10", "destroyed": "0", "returning": "10"}
        # Without the CSRF token the form is refused.
        self.assertEqual(self.url_open(url, data=form).status_code, 400)
        self.assertEqual(self.line.response, "pending")
        # A bad quantity shows the error, and saves nothing.
        response = self.url_open(url, data=dict(form, returning="-3", csrf_token=csrf))
        self.assertEqual(response.status_code, 400)
        self.assertIn("must be a number from 0 to 30", response.text)
        self.assertEqual(self.line.response, "pending")
        response = self.url_open(
            url,
            data=dict(form, csrf_token=csrf, delivered_quantity="999", recall_id="1"),
            files={"attachments": ("receipt.png", PNG, "image/png")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("your answer was recorded", response.text)
        self.line.invalidate_recordset()
        self.assertEqual(self.line.response, "returning")
        self.assertEqual(self.line.reported_returning_quantity, 10)
        self.assertEqual(self.line.delivered_quantity, 30)
        self.assertEqual(self.line.recall_id, self.recall)
        self.assertEqual(self.recall.message_ids.attachment_ids.mapped("name"), ["receipt.png"])
