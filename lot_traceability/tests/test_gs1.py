import datetime

from barcode.charsets import code128
from barcode.codex import Gs1_128
from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..tools import gs1

GTIN = "09506000134352"  # GS1's example GTIN, valid check digit
GTIN13 = "9506000134352"
D = datetime.date


def decode_code128(values):
    """Data of a Code 128 symbol from its symbol values (start code to last data value):
    FNC1 is returned as GS, so a GS1-128 symbol decodes to ']C1' + its raw string."""
    inverse = {name: {v: k for k, v in getattr(code128, name).items()} for name in "ABC"}
    charset = {103: "A", 104: "B", 105: "C"}[values[0]]
    out = "]C1" if values[1] == 102 else ""
    for value in values[2 if out else 1 :]:
        if value == 102:
            out += gs1.GS
        elif charset == "C" and value < 100:
            out += f"{value:02d}"
        elif value in (99, 100, 101) and inverse[charset][value].startswith("TO_"):
            charset = inverse[charset][value][3]
        else:
            out += inverse[charset][value]
    return out


@tagged("post_install", "-at_install")
class TestGS1Parser(TransactionCase):
    """The pure-Python parser and builder of lot_traceability.tools.gs1."""

    def test_ai01_gtin(self):
        self.assertEqual(gs1.parse("01" + GTIN).gtin, GTIN)
        self.assertEqual(gs1.parse(f"(01){GTIN}").gtin, GTIN)
        with self.assertRaisesRegex(gs1.GS1CheckDigitError, "wrong check digit: 3 instead of 2"):
            gs1.parse("0109506000134353")
        with self.assertRaises(gs1.GS1LengthError):
            gs1.parse("01095060001343")  # 12 digits only
        with self.assertRaises(gs1.GS1LengthError):
            gs1.parse("(01)9506000134352")  # GTIN-13 in an AI (01) field
        with self.assertRaises(gs1.GS1FormatError):
            gs1.parse("(01)0950600013435X")
        self.assertEqual(gs1.normalize_gtin("96385074"), "00000096385074")  # GTIN-8
        self.assertEqual(gs1.normalize_gtin("036000291452"), "00036000291452")  # GTIN-12
        self.assertEqual(gs1.normalize_gtin(GTIN13), GTIN)
        self.assertTrue(gs1.is_valid_gtin("4006381333931"))
        self.assertFalse(gs1.is_valid_gtin("4006381333932"))
        self.assertFalse(gs1.is_valid_gtin("12345"))
        self.assertIsNone(gs1.gtin14_or_none("ABC"))

    def test_ai10_lot(self):
        data = gs1.parse("10ABC-12/3")
        self.assertEqual(data.lot, "ABC-12/3")
        self.assertEqual(gs1.parse("10" + "A" * 20).lot, "A" * 20)
        with self.assertRaisesRegex(gs1.GS1LengthError, "at most 20 characters, got 21"):
            gs1.parse("10" + "A" * 21)
        with self.assertRaisesRegex(gs1.GS1EmptyValueError, r"AI \(10\) batch/lot number"):
            gs1.parse(f"01{GTIN}10\x1d17271231")
        with self.assertRaises(gs1.GS1EmptyValueError):
            gs1.parse("(10)")
        with self.assertRaisesRegex(gs1.GS1FormatError, "characters that GS1 does not allow"):
            gs1.parse("(10)ABC É")

    def test_ai21_serial_ai37_count(self):
        data = gs1.parse("21SN0001\x1d3712")
        self.assertEqual((data.serial, data.count), ("SN0001", 12))
        self.assertEqual(gs1.parse("3712345678").count, 12345678)
        with self.assertRaises(gs1.GS1LengthError):
            gs1.parse("37123456789")  # 9 digits
        with self.assertRaises(gs1.GS1FormatError):
            gs1.parse("(37)12A")
        with self.assertRaises(gs1.GS1LengthError):
            gs1.parse("21" + "9" * 21)

    def test_ai310n_net_weight(self):
        self.assertEqual(gs1.parse("3102001250").net_weight_kg, 12.5)
        self.assertEqual(gs1.parse("3100000025").net_weight_kg, 25.0)
        self.assertEqual(gs1.parse("(3105)123456").net_weight_kg, 1.23456)
        with self.assertRaises(gs1.GS1LengthError):
            gs1.parse("(3102)01250")
        with self.assertRaises(gs1.GS1LengthError):
            gs1.parse("310201250")
        with self.assertRaisesRegex(gs1.GS1UnknownAIError, r"\(3106\)"):
            gs1.parse("3106001250")

    def test_dates(self):
        data = gs1.parse("(11)250115(13)250116(15)270630(17)271231", today=D(2025, 6, 1))
        self.assertEqual(data.production_date, D(2025, 1, 15))
        self.assertEqual(data.packaging_date, D(2025, 1, 16))
        self.assertEqual(data.best_before, D(2027, 6, 30))
        self.assertEqual(data.expiry, D(2027, 12, 31))
        # day 00: last day of the month, February of leap and common years
        self.assertEqual(gs1.parse("17280200").expiry, D(2028, 2, 29))
        self.assertEqual(gs1.parse("17270200").expiry, D(2027, 2, 28))
        self.assertEqual(gs1.parse("15270400").best_before, D(2027, 4, 30))
        self.assertEqual(gs1.parse("11241200").production_date, D(2024, 12, 31))
        self.assertEqual(gs1.parse("17280229").expiry, D(2028, 2, 29))
        with self.assertRaisesRegex(gs1.GS1DateError, "not a valid date"):
            gs1.parse("17270229")
        with self.assertRaisesRegex(gs1.GS1DateError, "no month 13"):
            gs1.parse("17271301")
        with self.assertRaises(gs1.GS1DateError):
            gs1.parse("17270000")
        with self.assertRaises(gs1.GS1DateError):
            gs1.parse("11250431")
        with self.assertRaises(gs1.GS1LengthError):
            gs1.parse("(17)2712")
        with self.assertRaises(gs1.GS1LengthError):
            gs1.parse("172712")

    def test_date_century_sliding_window(self):
        """GS1 General Specifications 7.12: 51..99 years ahead -> previous century,
        50 or more years back -> next century."""
        today = D(2025, 6, 1)
        self.assertEqual(gs1.parse("17750101", today=today).expiry.year, 2075)  # +50
        self.assertEqual(gs1.parse("17760101", today=today).expiry.year, 1976)  # +51
        self.assertEqual(gs1.parse("17990101", today=today).expiry.year, 1999)
        self.assertEqual(gs1.parse("17000101", today=today).expiry.year, 2000)
        today = D(2070, 1, 1)
        self.assertEqual(gs1.parse("17200101", today=today).expiry.year, 2120)  # -50
        self.assertEqual(gs1.parse("17210101", today=today).expiry.year, 2021)  # -49
        today = D(2099, 1, 1)
        self.assertEqual(gs1.parse("17100101", today=today).expiry.year, 2110)

    def test_unknown_ai(self):
        with self.assertRaisesRegex(gs1.GS1UnknownAIError, r"\(99\) at position 1"):
            gs1.parse("99ABC")
        with self.assertRaisesRegex(gs1.GS1UnknownAIError, r"\(400\) at position 17"):
            gs1.parse(f"01{GTIN}400PO123")
        with self.assertRaisesRegex(gs1.GS1UnknownAIError, r"\(02\)"):
            gs1.parse(f"(02){GTIN}")
        with self.assertRaises(gs1.GS1FormatError):
            gs1.parse(f"ABC(01){GTIN}")
        with self.assertRaises(gs1.GS1EmptyValueError):
            gs1.parse("  ")
        with self.assertRaisesRegex(gs1.GS1FormatError, "appears twice"):
            gs1.parse("(10)A(10)B")

    def test_separators_and_forms(self):
        expected = {
            "gtin": GTIN,
            "lot": "ABC123",
            "production_date": D(2025, 1, 15),
            "packaging_date": None,
            "best_before": None,
            "expiry": D(2027, 12, 31),
            "serial": None,
            "count": 24,
            "net_weight_kg": None,
        }
        raw = f"01{GTIN}112501151727123110ABC123\x1d3724"
        forms = [
            raw,
            "\x1d" + raw,  # leading FNC1
            "]C1" + raw,
            "]d2" + raw,
            "]Q3" + raw,
            "]e0" + raw,
            raw.replace("\x1d", "<GS>"),
            raw.replace("\x1d", "<gs>"),
            raw + "\r\n",
            f"01{GTIN}\x1d11250115\x1d17271231\x1d10ABC123\x1d3724",  # GS after fixed too
            f"(01){GTIN}(11)250115(17)271231(10)ABC123(37)24",
            f"(01) {GTIN} (11) 250115 (17) 271231 (10) ABC123 (37) 24",
        ]
        for form in forms:
            with self.subTest(form=form):
                self.assertEqual(gs1.parse(form).as_dict(), expected)
        # without separator the lot swallows the next AI and is then too long
        with self.assertRaises(gs1.GS1LengthError):
            gs1.parse(f"10ABC123456789012345673724{GTIN}")

    def test_control_characters_are_refused(self):
        """A line break, tab or other control character inside a scan is refused: it would
        end up in the lot name. The FNC1 separator (GS) and a trailing Enter stay fine."""
        bad = [
            "(10)ABC\n(17)271231",
            "(10)ABC\r(17)271231",
            "10ABC\n\x1d17271231",
            "10AB\tC",
            "10ABC\x00",
            "(10)AB\x7fC",
            f"(01){GTIN}\x04(10)ABC",
        ]
        for code in bad:
            with (
                self.subTest(code=code),
                self.assertRaisesRegex(gs1.GS1FormatError, "control character"),
            ):
                gs1.parse(code)
        self.assertEqual(gs1.parse("10ABC\x1d17271231\r\n").lot, "ABC")
        for code in (123, ["10ABC"], {"10": "ABC"}):
            with self.subTest(code=code), self.assertRaisesRegex(gs1.GS1FormatError, "text"):
                gs1.parse(code)

    def test_error_messages_quote_at_most_80_characters(self):
        codes = [
            "10" + "A" * 500,
            "(10)" + "A" * 500,
            "X" * 500 + "(10)A",
            "(10)A\n" + "B" * 500,
            "(17)" + "1" * 500,
        ]
        for code in codes:
            with self.subTest(code=code[:10]), self.assertRaises(gs1.GS1Error) as caught:
                gs1.parse(code)
            message = str(caught.exception)
            self.assertLess(len(message), 300, message)
            self.assertNotIn("A" * 81, message)
            self.assertNotIn("B" * 81, message)

    def test_format_element_string(self):
        element_string = gs1.format_element_string(
            gtin=GTIN13,
            lot="L-001",
            production_date=D(2025, 1, 15),
            expiry=datetime.datetime(2027, 12, 31, 10, 0),
            count=12,
        )
        self.assertEqual(element_string.human, f"(01){GTIN}(11)250115(17)271231(10)L-001(37)12")
        self.assertEqual(element_string.raw, f"01{GTIN}112501151727123110L-001\x1d3712")
        self.assertFalse(element_string.raw.endswith("\x1d"))
        for form in (element_string.raw, element_string.human):
            data = gs1.parse(form)
            self.assertEqual(
                (data.gtin, data.lot, data.production_date, data.expiry, data.count),
                (GTIN, "L-001", D(2025, 1, 15), D(2027, 12, 31), 12),
            )
        weight = gs1.format_element_string(lot="X", net_weight_kg=1.25)
        self.assertEqual(weight.human, "(3102)000125(10)X")
        self.assertEqual(gs1.parse(weight.raw).net_weight_kg, 1.25)
        self.assertEqual(gs1.format_element_string(lot="X").raw, "10X")
        with self.assertRaises(gs1.GS1CheckDigitError):
            gs1.format_element_string(gtin="9506000134353", lot="X")
        with self.assertRaises(gs1.GS1FormatError):
            gs1.format_element_string(gtin=GTIN, lot="LOT 1")
        with self.assertRaises(gs1.GS1EmptyValueError):
            gs1.format_element_string()

    def test_split_for_gs1_128(self):
        long = gs1.format_element_string(
            gtin=GTIN, lot="L" * 20, production_date=D(2025, 1, 1), expiry=D(2027, 1, 1)
        )
        self.assertGreater(len(long.raw), gs1.GS1_128_MAX_DATA)
        chunks = gs1.split_for_gs1_128(long)
        self.assertEqual(
            [c.human for c in chunks], [f"(01){GTIN}(11)250101(17)270101", "(10)" + "L" * 20]
        )
        self.assertTrue(all(len(c.raw) <= gs1.GS1_128_MAX_DATA for c in chunks))
        short = gs1.format_element_string(gtin=GTIN, lot="L1")
        self.assertEqual(len(gs1.split_for_gs1_128(short)), 1)

    def test_gs1_128_symbol_encodes_fnc1(self):
        """The label's barcode: FNC1 first, FNC1 after the variable-length lot."""
        element_string = gs1.format_element_string(
            gtin=GTIN, lot="AB12", expiry=D(2027, 12, 31), count=5
        )
        symbol = Gs1_128(element_string.raw.replace(gs1.GS, Gs1_128.FNC1_CHAR))
        values = symbol._build()
        self.assertEqual(values[1], 102, "FNC1 must follow the start character")
        self.assertEqual(decode_code128(values), "]C1" + element_string.raw)
        self.assertEqual(gs1.parse(decode_code128(values)).as_dict()["lot"], "AB12")

    def test_digital_link(self):
        self.assertEqual(
            gs1.digital_link(GTIN13, "ABC123", expiry=D(2027, 12, 31)),
            f"https://id.gs1.org/01/{GTIN}/10/ABC123?17=271231",
        )
        self.assertEqual(
            gs1.digital_link("96385074", "A/B+C%1&2"),
            "https://id.gs1.org/01/00000096385074/10/A%2FB%2BC%251%262",
        )
        self.assertEqual(
            gs1.digital_link(GTIN, "L1", serial="S1", base_url="https://example.com/"),
            f"https://example.com/01/{GTIN}/10/L1/21/S1",
        )
        with self.assertRaises(gs1.GS1CheckDigitError):
            gs1.digital_link("09506000134353", "L1")


@tagged("post_install", "-at_install")
class TestGS1Odoo(TransactionCase):
    """Scanning GS1 barcodes in receipts, Digital Link of lots, the GS1 lot label."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tz="Europe/Brussels"))
        cls.env.user.tz = "Europe/Brussels"
        # dates of lots are read in the warehouse's time zone: the main warehouse's
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.warehouse.partner_id = cls.env["res.partner"].create(
            {"name": "GS1 Brussels depot", "tz": "Europe/Brussels"}
        )
        cls.env.user.groups_id |= cls.env.ref("stock.group_production_lot")
        cls.unit = cls.env.ref("uom.product_uom_unit")
        cls.kg = cls.env.ref("uom.product_uom_kgm")
        cls.gram = cls.env.ref("uom.product_uom_gram")
        cls.product = cls.env["product.product"].create(
            {
                "name": "GS1 Yoghurt",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "expiration_time": 20,
                "barcode": GTIN13,
            }
        )
        cls.packaging = cls.env["product.packaging"].create(
            {
                "name": "Case of 6",
                "product_id": cls.product.id,
                "qty": 6,
                "barcode": "19506000134359",
            }
        )
        cls.flour = cls.env["product.product"].create(
            {
                "name": "GS1 Flour",
                "is_storable": True,
                "tracking": "lot",
                "uom_id": cls.kg.id,
                "uom_po_id": cls.kg.id,
                "barcode": "4006381333931",
            }
        )
        cls.no_gtin = cls.env["product.product"].create(
            {
                "name": "GS1 No GTIN",
                "is_storable": True,
                "tracking": "lot",
                "use_expiration_date": True,
                "barcode": "NOGTIN-1",
            }
        )
        cls.partner = cls.env["res.partner"].create({"name": "GS1 Dairy Supplier"})
        cls.picking_type_in = cls.env.ref("stock.picking_type_in")
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.stock_location = cls.picking_type_in.default_location_dest_id

    def _receipt(self, lines):
        """A ready receipt of [(product, quantity, uom)]."""
        picking = self.env["stock.picking"].create(
            {
                "partner_id": self.partner.id,
                "picking_type_id": self.picking_type_in.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    fields.Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": (uom or product.uom_id).id,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                    for product, quantity, uom in lines
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        self.assertEqual(picking.state, "assigned")
        return picking

    def _line_values(self, line):
        return {
            name: line[name]
            for name in (
                "lot_id",
                "lot_name",
                "expiration_date",
                "production_date",
                "quantity",
                "gs1_barcode",
            )
        }

    def test_scan_fills_receipt_line_and_lot(self):
        picking = self._receipt([(self.product, 24, None)])
        line = picking.move_line_ids
        self.assertEqual(len(line), 1)
        code = f"]C101{GTIN}112501151727123110YOG-2025-01\x1d3712"
        warnings = line._apply_gs1_barcode(code)
        self.assertEqual(warnings, [])
        self.assertEqual(line.lot_name, "YOG-2025-01")
        self.assertFalse(line.lot_id)
        self.assertEqual(line.production_date, D(2025, 1, 15))
        # midnight of 31 December 2027 in Brussels (UTC+1)
        self.assertEqual(line.expiration_date, datetime.datetime(2027, 12, 30, 23, 0))
        self.assertEqual(line.quantity, 12)
        self.assertEqual(line.gs1_barcode, code)

        picking.move_ids.quantity = 12
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=True, cancel_backorder=True).button_validate()
        self.assertEqual(picking.state, "done")
        lot = line.lot_id
        self.assertEqual(lot.name, "YOG-2025-01")
        self.assertEqual(lot.product_id, self.product)
        self.assertEqual(lot.expiration_date, datetime.datetime(2027, 12, 30, 23, 0))
        self.assertEqual(lot.production_date, D(2025, 1, 15))
        self.assertEqual(
            lot.gs1_digital_link, f"https://id.gs1.org/01/{GTIN}/10/YOG-2025-01?17=271231"
        )

        # the same lot received again: the existing lot is chosen
        picking2 = self._receipt([(self.product, 5, None)])
        line2 = picking2.move_line_ids
        line2._apply_gs1_barcode(f"(01){GTIN}(17)271231(10)YOG-2025-01(37)5")
        self.assertEqual(line2.lot_id, lot)
        self.assertEqual(line2.quantity, 5)
        # a different expiry on the label: warned, the lot's date is kept
        warnings = line2._apply_gs1_barcode(f"(01){GTIN}(17)280131(10)YOG-2025-01")
        self.assertEqual(len(warnings), 1)
        self.assertIn("already exists with the expiration date", warnings[0])
        self.assertEqual(line2.expiration_date, lot.expiration_date)

        with self.assertRaisesRegex(UserError, "is done"):
            line._apply_gs1_barcode(f"(01){GTIN}(10)OTHER")

    def test_scan_stores_packaging_and_best_before_dates(self):
        """AI 13 (packaging date) and AI 15 (best before) of a scan end on the new lot;
        AI 15 is read as a day in the warehouse's time zone, like AI 17."""
        picking = self._receipt([(self.product, 6, None)])
        line = picking.move_line_ids
        line._apply_gs1_barcode(f"(01){GTIN}(13)250120(15)271215(17)271231(10)YOG-PK(37)6")
        self.assertEqual(line.lot_packaging_date, D(2025, 1, 20))
        self.assertEqual(line.lot_use_date, datetime.datetime(2027, 12, 14, 23, 0))
        picking.move_ids.picked = True
        picking.button_validate()
        lot = line.lot_id
        self.assertEqual(lot.name, "YOG-PK")
        self.assertEqual(lot.lot_packaging_date, D(2025, 1, 20))
        self.assertEqual(lot.use_date, datetime.datetime(2027, 12, 14, 23, 0))
        self.assertEqual(lot.expiration_date, datetime.datetime(2027, 12, 30, 23, 0))
        # the lot form shows the packaging date
        self.assertIn(
            'name="lot_packaging_date"',
            self.env["stock.lot"].get_views([(False, "form")])["views"]["form"]["arch"],
        )

    def test_label_prints_the_warehouse_local_date(self):
        """A lot in a New York warehouse expiring at 03:00 UTC on 31 December 2027 (22:00
        on the 30th in New York) is labelled 30 December, whatever the user's time zone."""
        new_york = self.env["stock.warehouse"].create(
            {
                "name": "GS1 New York",
                "code": "GSNY",
                "partner_id": self.env["res.partner"]
                .create({"name": "GS1 New York depot", "tz": "America/New_York"})
                .id,
            }
        )
        lot = self._lot(
            "LBL-NY", self.product, expiration_date=datetime.datetime(2027, 12, 31, 3, 0)
        )
        self.env["stock.quant"]._update_available_quantity(
            self.product, new_york.lot_stock_id, 3, lot_id=lot
        )
        user = new_test_user(
            self.env,
            login="gs1_ny_labels",
            groups="stock.group_stock_user,stock.group_production_lot",
            tz="Europe/Brussels",
        )
        report = "lot_traceability.action_report_lot_label_gs1"
        html = (
            self.env(user=user, context={"tz": "Europe/Brussels"})["ir.actions.report"]
            ._render_qweb_html(report, lot.ids)[0]
            .decode()
        )
        self.assertIn(f"(01){GTIN}(17)271230(10)LBL-NY", html)
        self.assertTrue(lot.with_user(user).gs1_digital_link.endswith("?17=271230"))

    def test_scan_errors_write_nothing(self):
        picking = self._receipt([(self.product, 10, None)])
        line = picking.move_line_ids
        before = self._line_values(line)
        bad_codes = {
            "wrong check digit": "(01)09506000134353(10)L1",
            "unknown or not supported": "(01)09506000134352(99)X(10)L1",
            "exactly 6 characters": "(01)09506000134352(17)27123(10)L1",
            "not a valid date": "(01)09506000134352(17)270231(10)L1",
            "not the GTIN of GS1 Yoghurt": "(01)04006381333931(10)L1",
            "at most 20 characters": "10" + "L" * 25,
            "has no value": "(10)",
        }
        for message, code in bad_codes.items():
            with self.subTest(code=code), self.assertRaisesRegex(UserError, message):
                line._apply_gs1_barcode(code)
            self.assertEqual(self._line_values(line), before)

        # the same errors through the scan field's onchange
        new_line = self.env["stock.move.line"].new(
            {
                "move_id": picking.move_ids.id,
                "product_id": self.product.id,
                "picking_id": picking.id,
            }
        )
        new_line.gs1_barcode = "(01)04006381333931(10)L1"
        with self.assertRaisesRegex(UserError, "not the GTIN"):
            new_line._onchange_gs1_barcode()
        self.assertFalse(new_line.lot_name)

        # a line of several products: all checked before any is written
        picking2 = self._receipt([(self.product, 1, None), (self.no_gtin, 1, None)])
        lines = picking2.move_line_ids
        before = [self._line_values(ml) for ml in lines]
        with self.assertRaises(UserError):
            lines._apply_gs1_barcode(f"(01){GTIN}(10)L1")
        self.assertEqual([self._line_values(ml) for ml in lines], before)

    def test_scan_with_control_characters_writes_nothing(self):
        picking = self._receipt([(self.product, 10, None)])
        line = picking.move_line_ids
        before = self._line_values(line)
        with self.assertRaisesRegex(UserError, "control character"):
            line._apply_gs1_barcode(f"(01){GTIN}(10)ABC\n(17)271231")
        self.assertEqual(self._line_values(line), before)
        with self.assertRaises(UserError) as caught:
            line._apply_gs1_barcode("(10)" + "L" * 500)
        self.assertNotIn("L" * 81, str(caught.exception))

    def test_product_without_gtin(self):
        picking = self._receipt([(self.no_gtin, 3, None)])
        line = picking.move_line_ids
        with self.assertRaisesRegex(UserError, "has no GTIN barcode"):
            line._apply_gs1_barcode(f"(01){GTIN}(10)L1")
        self.assertFalse(line.lot_name)
        # a label without GTIN is accepted: lot and dates only
        line._apply_gs1_barcode("(17)270500(10)NG-1")
        self.assertEqual(line.lot_name, "NG-1")
        self.assertEqual(line.expiration_date, datetime.datetime(2027, 5, 30, 22, 0))  # CEST
        self.assertEqual(line.quantity, 3)

    def test_onchange_fills_line(self):
        picking = self._receipt([(self.product, 24, None)])
        line = self.env["stock.move.line"].new(
            {
                "move_id": picking.move_ids.id,
                "picking_id": picking.id,
                "product_id": self.product.id,
                "product_uom_id": self.unit.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
            }
        )
        line.gs1_barcode = f"01{GTIN}1728020010ONC-1<GS>376"
        self.assertIsNone(line._onchange_gs1_barcode())
        self.assertEqual(line.lot_name, "ONC-1")
        self.assertEqual(line.quantity, 6)
        self.assertEqual(line.expiration_date, datetime.datetime(2028, 2, 28, 23, 0))
        # a weight on a product counted in units is reported, not used
        line.gs1_barcode = f"(01){GTIN}(3102)001250(10)ONC-2"
        result = line._onchange_gs1_barcode()
        self.assertIn("net weight 12.5 kg was not used", result["warning"]["message"])
        self.assertEqual(line.lot_name, "ONC-2")
        self.assertEqual(line.quantity, 6)

    def test_quantity_from_weight_and_packaging(self):
        picking = self._receipt([(self.flour, 20000, self.gram), (self.product, 30, None)])
        flour_line = picking.move_line_ids.filtered(lambda ml: ml.product_id == self.flour)
        self.assertEqual(flour_line.product_uom_id, self.gram)
        flour_line._apply_gs1_barcode("(01)04006381333931(3102)001250(10)FL-1")
        self.assertAlmostEqual(flour_line.quantity, 12500.0)  # 12.5 kg in grams
        self.assertEqual(flour_line.lot_name, "FL-1")
        # the case GTIN: one case is 6 units, AI 37 counts cases
        yog_line = picking.move_line_ids.filtered(lambda ml: ml.product_id == self.product)
        yog_line._apply_gs1_barcode("(01)19506000134359(10)Y-1")
        self.assertEqual(yog_line.quantity, 6)
        yog_line._apply_gs1_barcode("(01)19506000134359(10)Y-1(37)4")
        self.assertEqual(yog_line.quantity, 24)

    def test_picking_apply_gs1_barcode(self):
        picking = self._receipt([(self.flour, 40, None), (self.product, 10, None)])
        line = picking.action_apply_gs1_barcode(f"(01){GTIN}(17)271231(10)P-1(37)4")
        self.assertEqual(line.product_id, self.product)
        self.assertEqual((line.lot_name, line.quantity), ("P-1", 4))
        # the product's line has a lot now: a second lot gets a new line
        line2 = picking.action_apply_gs1_barcode(f"(01){GTIN}(17)271231(10)P-2(37)6")
        self.assertNotEqual(line2, line)
        self.assertEqual((line2.move_id, line2.lot_name, line2.quantity), (line.move_id, "P-2", 6))
        self.assertEqual(line.move_id.quantity, 10)
        count = len(picking.move_line_ids)
        with self.assertRaisesRegex(UserError, "No product of"):
            picking.action_apply_gs1_barcode("(01)00000096385074(10)X")
        with self.assertRaisesRegex(UserError, "wrong check digit"):
            picking.action_apply_gs1_barcode("(01)09506000134353(10)P-3")
        self.assertEqual(len(picking.move_line_ids), count)

    def test_digital_link_field(self):
        lot = self.env["stock.lot"].create(
            {
                "name": "DL-1/A",
                "product_id": self.product.id,
                "expiration_date": datetime.datetime(2027, 12, 30, 23, 0),
            }
        )
        self.assertEqual(
            lot.gs1_digital_link, f"https://id.gs1.org/01/{GTIN}/10/DL-1%2FA?17=271231"
        )
        self.env["ir.config_parameter"].set_param(
            "lot_traceability.gs1_resolver_url", "https://dl.example.com"
        )
        lot.invalidate_recordset(["gs1_digital_link"])
        self.assertTrue(lot.gs1_digital_link.startswith("https://dl.example.com/01/"))
        no_gtin_lot = self.env["stock.lot"].create(
            {"name": "NG-LOT", "product_id": self.no_gtin.id}
        )
        self.assertFalse(no_gtin_lot.gs1_digital_link)
        self.assertIn("not a valid GTIN", self.env["stock.lot"]._fields["gs1_digital_link"].help)

    def _lot(self, name, product, **vals):
        return self.env["stock.lot"].create({"name": name, "product_id": product.id, **vals})

    def test_label_report_lot(self):
        report = "lot_traceability.action_report_lot_label_gs1"
        lot = self._lot(
            "LBL-001",
            self.product,
            expiration_date=datetime.datetime(2027, 12, 30, 23, 0),
            production_date=D(2025, 1, 15),
        )
        no_gtin_lot = self._lot("LBL-NG", self.no_gtin)
        html, report_type = self.env["ir.actions.report"]._render_qweb_html(
            report, (lot | no_gtin_lot).ids
        )
        self.assertEqual(report_type, "html")
        html = html.decode()
        self.assertIn(f"(01){GTIN}(11)250115(17)271231(10)LBL-001", html)
        self.assertIn("LBL-001", html)
        self.assertIn("GS1 Yoghurt", html)
        self.assertIn("data:image/png;base64,", html)
        self.assertIn('alt="GS1 Digital Link"', html)
        self.assertIn("(10)LBL-NG<", html)
        self.assertNotIn("(01)(10)LBL-NG", html)
        self.assertIn("No GTIN", html)
        self.assertEqual(html.count('class="lt_gs1_label"'), 2)
        self.assertEqual(html.count('alt="GS1 Digital Link"'), 1)  # not for the no-GTIN lot

        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, lot.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_label_report_picking(self):
        report = "lot_traceability.action_report_picking_lot_label_gs1"
        picking = self._receipt([(self.product, 10, None), (self.flour, 5, None)])
        yog_line = picking.move_line_ids.filtered(lambda ml: ml.product_id == self.product)
        yog_line._apply_gs1_barcode(f"(01){GTIN}(11)250301(17)270331(10)PK-YOG(37)10")
        flour_line = picking.move_line_ids.filtered(lambda ml: ml.product_id == self.flour)
        flour_line.lot_name = "PK-FLOUR"
        html = self.env["ir.actions.report"]._render_qweb_html(report, picking.ids)[0].decode()
        self.assertEqual(html.count('class="lt_gs1_label"'), 2)
        self.assertIn(f"(01){GTIN}(11)250301(17)270331(10)PK-YOG", html)
        self.assertIn("(01)04006381333931(10)PK-FLOUR", html)

        pdf, report_type = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(report, picking.ids)
        )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

        empty = self._receipt([(self.product, 1, None)])
        with self.assertRaisesRegex(UserError, "Nothing to print"):
            self.env["ir.actions.report"]._render_qweb_html(report, empty.ids)
