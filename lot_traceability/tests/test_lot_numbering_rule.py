import threading
from datetime import date

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from ..models.lot_numbering_rule import luhn
from ..models.stock_lot import LOT_NAMES_MAX_COUNT
from ..tools.gs1 import gtin_check_digit
from .common import company_user


@tagged("post_install", "-at_install")
class TestLotNumberingRule(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company.lot_code = "BK"
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.warehouse.code = "WH"
        cls.categ_parent = cls.env["product.category"].create(
            {"name": "LT Food", "lot_code": "FOOD"}
        )
        cls.categ = cls.env["product.category"].create(
            {"name": "LT Cakes", "parent_id": cls.categ_parent.id}
        )
        cls.product = cls._product("LT Cake", "CAKE")
        cls.product2 = cls._product("LT Cookie", "COOK")
        cls.supplier = cls.env["res.partner"].create({"name": "LT Mill", "ref": "SUP7"})
        cls.Rule = cls.env["lot.numbering.rule"]
        cls.stock_location = cls.warehouse.lot_stock_id
        cls.supplier_location = cls.env.ref("stock.stock_location_suppliers")
        cls.core_sequence = cls.env.ref("stock.sequence_production_lots")

    @classmethod
    def _product(cls, name, code, tracking="lot", **vals):
        return cls.env["product.product"].create(
            {
                "name": name,
                "default_code": code,
                "is_storable": True,
                "tracking": tracking,
                "categ_id": cls.categ.id,
                **vals,
            }
        )

    def _rule(self, pattern, reset="never", scope="shared", assign=True, **vals):
        rule = self.Rule.create(
            {
                "name": f"Rule {pattern}",
                "pattern": pattern,
                "reset": reset,
                "sequence_scope": scope,
                **vals,
            }
        )
        if assign:
            (self.product | self.product2).product_tmpl_id.lot_numbering_rule_id = rule
        return rule

    def _names(self, rule, product, dates, **kwargs):
        return [rule._next_lot_name(product, date=day, **kwargs) for day in dates]

    # ------------------------------------------------------------------ tokens

    def test_token_product_category_company_warehouse_supplier(self):
        rule = self._rule("{code}{categ}{company}{warehouse}{supplier}{seq:1}")
        name = rule._next_lot_name(
            self.product, date=date(2025, 3, 1), warehouse=self.warehouse, partner=self.supplier
        )
        # {categ}: the cake category has no code, its parent's is used
        self.assertEqual(name, "CAKEFOODBKWHSUP71")

    def test_token_dates(self):
        rule = self._rule("{yyyy}{mm}{dd}-{ww}{doy}{yy}{seq:2}")
        # 2025-02-03 is the Monday of ISO week 6, day 34 of the year
        self.assertEqual(
            rule._next_lot_name(self.product, date=date(2025, 2, 3)), "20250203-0603425" + "01"
        )
        # 2024-12-31 is in ISO week 1 of 2025 and day 366 of leap year 2024
        self.assertEqual(
            rule._next_lot_name(self.product, date=date(2024, 12, 31)), "20241231-0136624" + "02"
        )

    def test_token_literal_text_and_padding(self):
        rule = self._rule("LOT/A-{seq:3}.X")
        self.assertEqual(
            self._names(rule, self.product, [None, None]), ["LOT/A-001.X", "LOT/A-002.X"]
        )

    def test_supplier_token_without_vendor_is_refused(self):
        rule = self._rule("{supplier}-{seq:4}")
        with self.assertRaisesRegex(UserError, "LT Cake"):
            rule._next_lot_name(self.product)
        with self.assertRaisesRegex(UserError, "no reference"):
            rule._next_lot_name(self.product, partner=self.env["res.partner"].create({"name": "X"}))

    def test_missing_values_are_refused_naming_the_product(self):
        rule = self._rule("{code}-{seq:4}")
        no_code = self._product("LT Bread", False)
        no_code.product_tmpl_id.lot_numbering_rule_id = rule
        with self.assertRaisesRegex(UserError, "LT Bread.*internal reference"):
            rule._next_lot_name(no_code)
        self.company.lot_code = False
        rule = self._rule("{company}-{seq:4}")
        with self.assertRaisesRegex(UserError, "company .* has no lot code"):
            rule._next_lot_name(self.product)

    def test_too_long_name_refused_at_generation_without_consuming(self):
        rule = self._rule("{code}-{seq:4}")
        long_ref = self._product("LT Long", "REFERENCE-OF-16CH")
        with self.assertRaisesRegex(UserError, "LT Long.*22 characters"):
            rule._next_lot_name(long_ref)
        self.assertEqual(rule._next_lot_name(self.product), "CAKE-0001")

    # ------------------------------------------------------------------ check characters

    def test_check_character_functions(self):
        # GS1 examples: GTIN-13 6291041500213, GTIN-13 4006381333931, SSCC 376104250021234569
        self.assertEqual(gtin_check_digit("629104150021"), "3")
        self.assertEqual(gtin_check_digit("400638133393"), "1")
        self.assertEqual(gtin_check_digit("37610425002123456"), "9")
        # Luhn: the classic 79927398713
        self.assertEqual(luhn("7992739871"), "3")
        self.assertEqual(luhn("001"), "8")

    def test_check_character_in_names(self):
        rule = self._rule("62910415002{seq:1}{check:mod10}")
        self.assertEqual(rule._next_lot_name(self.product), "6291041500213")
        # letters and separators are left out of the computation
        rule = self._rule("AB-{seq:3}-{check:luhn}")
        self.assertEqual(rule._next_lot_name(self.product), "AB-001-8")
        rule = self._rule("{yy}{mm}{seq:3}{check:luhn}", reset="monthly")
        self.assertEqual(rule._next_lot_name(self.product, date=date(2025, 3, 2)), "25030016")

    # ------------------------------------------------------------------ resets

    def test_reset_never(self):
        rule = self._rule("{yy}-{seq:3}")
        names = self._names(rule, self.product, [date(2025, 12, 31), date(2026, 1, 1)])
        self.assertEqual(names, ["25-001", "26-002"])

    def test_reset_yearly(self):
        rule = self._rule("{yy}-{seq:3}", reset="yearly")
        days = [date(2025, 3, 1), date(2025, 12, 31), date(2026, 1, 1), date(2025, 6, 1)]
        self.assertEqual(
            self._names(rule, self.product, days), ["25-001", "25-002", "26-001", "25-003"]
        )
        ranges = rule.sequence_id.date_range_ids.sorted("date_from")
        self.assertEqual(
            [(r.date_from, r.date_to) for r in ranges],
            [(date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 12, 31))],
        )

    def test_reset_monthly(self):
        rule = self._rule("{yy}{mm}-{seq:3}", reset="monthly")
        days = [date(2025, 2, 1), date(2025, 2, 28), date(2025, 3, 1), date(2025, 2, 14)]
        self.assertEqual(
            self._names(rule, self.product, days),
            ["2502-001", "2502-002", "2503-001", "2502-003"],
        )
        ranges = rule.sequence_id.date_range_ids.sorted("date_from")
        self.assertEqual(
            [(r.date_from, r.date_to) for r in ranges],
            [(date(2025, 2, 1), date(2025, 2, 28)), (date(2025, 3, 1), date(2025, 3, 31))],
        )

    def test_reset_daily(self):
        rule = self._rule("{yy}{doy}-{seq:2}", reset="daily")
        days = [date(2025, 2, 1), date(2025, 2, 1), date(2025, 2, 2), date(2026, 2, 1)]
        self.assertEqual(
            self._names(rule, self.product, days), ["25032-01", "25032-02", "25033-01", "26032-01"]
        )

    def test_changing_reset_restarts_and_skips_used_names(self):
        rule = self._rule("{yy}-{seq:3}", reset="yearly")
        self.env["stock.lot"].create(
            [{"product_id": self.product.id, "name": name} for name in ("25-001", "25-002")]
        )
        self.assertEqual(rule._next_lot_name(self.product, date=date(2025, 5, 1)), "25-003")
        rule.write({"reset": "monthly", "pattern": "{yy}{mm}-{seq:3}"})
        self.assertEqual(rule._next_lot_name(self.product, date=date(2025, 5, 1)), "2505-001")

    # ------------------------------------------------------------------ scopes

    def test_shared_sequence(self):
        rule = self._rule("{code}-{seq:3}")
        names = [
            rule._next_lot_name(self.product),
            rule._next_lot_name(self.product2),
            rule._next_lot_name(self.product),
        ]
        self.assertEqual(names, ["CAKE-001", "COOK-002", "CAKE-003"])
        self.assertFalse(rule.product_sequence_ids)

    def test_per_product_sequence(self):
        rule = self._rule("{code}-{yy}-{seq:3}", reset="yearly", scope="product")
        names = [
            rule._next_lot_name(self.product, date=date(2025, 1, 5)),
            rule._next_lot_name(self.product2, date=date(2025, 1, 5)),
            rule._next_lot_name(self.product, date=date(2025, 1, 6)),
            rule._next_lot_name(self.product, date=date(2026, 1, 6)),
        ]
        self.assertEqual(names, ["CAKE-25-001", "COOK-25-001", "CAKE-25-002", "CAKE-26-001"])
        self.assertEqual(rule.product_sequence_ids.product_id, self.product | self.product2)
        # the counter is created once per product
        self.assertEqual(
            rule._get_sequence(self.product),
            rule.product_sequence_ids.filtered(lambda s: s.product_id == self.product).sequence_id,
        )
        self.assertEqual(len(rule.product_sequence_ids), 2)

    # ------------------------------------------------------------------ resolution

    def test_rule_resolution_product_category_company(self):
        rule_product = self._rule("P-{seq:4}", assign=False)
        rule_categ = self._rule("C-{seq:4}", assign=False)
        rule_company = self._rule("D-{seq:4}", assign=False)
        self.company.lot_numbering_rule_id = rule_company
        self.assertEqual(self.product._get_lot_numbering_rule(), rule_company)
        self.categ_parent.lot_numbering_rule_id = rule_categ  # from the parent category
        self.assertEqual(self.product._get_lot_numbering_rule(), rule_categ)
        self.product.lot_numbering_rule_id = rule_product
        self.assertEqual(self.product._get_lot_numbering_rule(), rule_product)
        self.assertEqual(self.product2._get_lot_numbering_rule(), rule_categ)
        rule_product.active = False  # archived rules are skipped
        self.assertEqual(self.product._get_lot_numbering_rule(), rule_categ)
        other_company = self.env["res.company"].create({"name": "LT Other"})
        rule_categ.company_id = other_company  # another company's rule is skipped
        self.assertEqual(self.product._get_lot_numbering_rule(), rule_company)
        self.company.lot_numbering_rule_id = False
        self.assertFalse(self.product._get_lot_numbering_rule())

    # ------------------------------------------------------------------ no consumption

    def test_preview_consumes_nothing(self):
        rule = self._rule("{code}{yy}{mm}-{seq:3}", reset="monthly", preview_product_id=False)
        # the rule's day: today in the company's time zone (``_lot_date``)
        today = rule._lot_date(None).strftime("%y%m")
        expected = [f"CAKE{today}-{n:03d}" for n in range(1, 7)]
        self.assertEqual(rule._preview_lot_names(self.product), expected[:5])
        self.assertEqual(rule._preview_lot_names(self.product), expected[:5])
        self.assertEqual(rule._next_lot_name(self.product), expected[0])
        self.assertEqual(rule._preview_lot_names(self.product, count=2), expected[1:3])
        rule.preview_product_id = self.product
        self.assertEqual(rule.preview, "\n".join(expected[1:]))
        self.assertEqual(rule._next_lot_name(self.product), expected[1])

    def test_preview_in_form_shows_errors_and_edited_pattern(self):
        rule = self._rule("F-{seq:3}", preview_product_id=self.product.id)
        rule._next_lot_name(self.product)
        with Form(rule) as form:
            self.assertEqual(form.preview.splitlines()[0], "F-002")
            form.pattern = "G-{seq:4}"
            self.assertEqual(form.preview.splitlines()[:2], ["G-0002", "G-0003"])
            form.pattern = "G-{sq:4}"
            self.assertIn("not a known token", form.preview)
            form.pattern = "F-{seq:3}"
        self.assertEqual(rule._next_lot_name(self.product), "F-002")

    def test_opening_lot_form_consumes_nothing(self):
        rule = self._rule("F-{seq:4}")
        core_next = self.core_sequence.number_next_actual
        lot_form = Form(self.env["stock.lot"].with_context(default_product_id=self.product.id))
        self.assertEqual(lot_form.name, "/")
        del lot_form  # discarded
        Form(self.env["stock.lot"].with_context(default_product_id=self.product.id))
        self.assertEqual(rule._preview_lot_names(self.product, count=1), ["F-0001"])
        self.core_sequence.invalidate_recordset()
        self.assertEqual(self.core_sequence.number_next_actual, core_next)
        # saving draws the number
        lot_form = Form(self.env["stock.lot"].with_context(default_product_id=self.product.id))
        lot = lot_form.save()
        self.assertEqual(lot.name, "F-0001")
        self.assertEqual(rule._preview_lot_names(self.product, count=1), ["F-0002"])
        # a name typed by the user is kept, and consumes nothing
        lot_form = Form(self.env["stock.lot"].with_context(default_product_id=self.product.id))
        lot_form.name = "MANUAL-1"
        self.assertEqual(lot_form.save().name, "MANUAL-1")
        self.assertEqual(rule._preview_lot_names(self.product, count=1), ["F-0002"])

    def test_lot_form_product_chosen_in_form(self):
        self._rule("F-{seq:4}")
        no_rule = self._product("LT Salt", "SALT")
        no_rule.categ_id = self.env.ref("product.product_category_all")
        core_next = self.core_sequence.number_next_actual
        lot_form = Form(self.env["stock.lot"])
        self.assertEqual(lot_form.name, "/")  # a rule exists: nothing drawn yet
        lot_form.product_id = self.product
        self.assertEqual(lot_form.save().name, "F-0001")
        # a product without rule gets core's number, drawn on save only
        lot_form = Form(self.env["stock.lot"])
        lot_form.product_id = no_rule
        self.core_sequence.invalidate_recordset()
        self.assertEqual(self.core_sequence.number_next_actual, core_next)
        self.assertEqual(lot_form.save().name, self.core_sequence.get_next_char(core_next))

    def test_lot_created_by_code_without_name(self):
        self._rule("{yy}{mm}{dd}-{seq:3}")
        lots = self.env["stock.lot"].create(
            [
                {"product_id": self.product.id, "production_date": "2025-04-07"},
                {"product_id": self.product2.id, "name": "/", "production_date": "2025-04-08"},
                {"product_id": self.product.id, "name": "KEEP"},
            ]
        )
        self.assertEqual(lots.mapped("name"), ["250407-001", "250408-002", "KEEP"])

    def test_stock_user_numbers_lots(self):
        """Counters and date ranges are created for users who cannot manage sequences."""
        self._rule("{code}{yy}{mm}-{seq:3}", reset="monthly", scope="product")
        user = new_test_user(self.env, login="lt_numbering_user", groups="stock.group_stock_user")
        lot = (
            self.env["stock.lot"]
            .with_user(user)
            .create({"product_id": self.product.id, "production_date": "2025-09-01"})
        )
        self.assertEqual(lot.name, "CAKE2509-001")

    def test_users_cannot_give_other_sequences_lot_numbering_periods(self):
        """The lot numbering periods are those of lot numbering sequences: a user drawing
        a number of another sequence (e.g. core's yearly ones) with the context key that
        once named the period does not make that sequence restart every day."""
        sequence = self.env["ir.sequence"].create(
            {"name": "Core yearly", "use_date_range": True, "prefix": "B/%(range_year)s/"}
        )
        user = new_test_user(self.env, login="lt_numbering_reset", groups="stock.group_stock_user")
        as_user = sequence.with_user(user).with_context(lot_numbering_reset="daily")
        first = as_user.next_by_id(sequence_date=date(2026, 6, 15))
        second = as_user.next_by_id(sequence_date=date(2026, 6, 16))
        self.assertEqual((first, second), ("B/2026/1", "B/2026/2"))
        self.assertEqual(
            sequence.date_range_ids.mapped(lambda r: (r.date_from, r.date_to)),
            [(date(2026, 1, 1), date(2026, 12, 31))],
        )

    # ------------------------------------------------------------------ access

    def _user(self, login, groups="stock.group_stock_user", company=None):
        company = company or self.company
        return company_user(
            self.env,
            login,
            groups,
            company,
        )

    def _generate(self, user, rule, count=3, **params):
        """generate_lot_names as ``user``, with the numbering context a client can send."""
        numbering = {
            "rule_id": rule.id,
            "product_id": self.product.id,
            "date": "2025-03-01",
            "company_id": self.company.id,
            **params,
        }
        lots = self.env["stock.lot"].with_user(user)
        names = lots.with_context(lot_numbering_generate=numbering).generate_lot_names("", count)
        return [vals["lot_name"] for vals in names]

    def test_numbers_are_drawn_only_by_users_who_create_lots_and_read_the_rule(self):
        rule = self._rule("N{yy}-{seq:4}")
        company_b = self.env["res.company"].create({"name": "LT Other"})
        portal = self._user("lt_gen_portal", groups="base.group_portal")
        user_b = self._user("lt_gen_user_b", company=company_b)
        for user in (portal, user_b):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._generate(user, rule)
        with self.assertRaises(AccessError):
            self._generate(portal, rule, count=10**9)
        with self.assertRaises(AccessError):
            self.env["stock.lot"].with_user(portal).create({"product_id": self.product.id})
        user_a = self._user("lt_gen_user_a")
        with self.assertRaises(AccessError):  # for a company the user is not allowed in
            self._generate(user_a, rule, company_id=company_b.id)
        # nothing was drawn: the next numbers go to the stock user of the rule's company
        self.assertEqual(self._generate(user_a, rule), ["N25-0001", "N25-0002", "N25-0003"])

    def test_number_of_names_per_call_is_capped(self):
        rule = self._rule("N{yy}-{seq:5}")
        user = self._user("lt_gen_user_a")
        for count in (LOT_NAMES_MAX_COUNT + 1, "3"):
            with (
                self.subTest(count=count),
                self.assertRaisesRegex(UserError, f"at most {LOT_NAMES_MAX_COUNT:,}"),
            ):
                self._generate(user, rule, count=count)
        self.assertEqual(self._generate(user, rule, count=1), ["N25-00001"])

    def test_supplier_token_reads_only_partners_the_user_may_read(self):
        rule = self._rule("{supplier}-{seq:3}")
        company_b = self.env["res.company"].create({"name": "LT Other"})
        vendor_b = self.env["res.partner"].create(
            {"name": "LT Vendor of B", "ref": "SECRT", "company_id": company_b.id}
        )
        user = self._user("lt_gen_user_a")
        with self.assertRaises(AccessError):
            self._generate(user, rule, partner_id=vendor_b.id)
        self.assertEqual(self._generate(user, rule, 1, partner_id=self.supplier.id), ["SUP7-001"])

    def test_rules_and_counters_keep_to_the_users_companies(self):
        rule = self._rule("{code}-{seq:4}", scope="product")
        rule._next_lot_name(self.product)
        company_b = self.env["res.company"].create({"name": "LT Other"})
        user_a = self._user("lt_gen_user_a")
        user_b = self._user("lt_gen_user_b", company=company_b)
        Counter = self.env["lot.numbering.rule.sequence"]
        counters_a = Counter.with_user(user_a).search([("rule_id", "=", rule.id)])
        self.assertEqual(counters_a.product_id, self.product)
        self.assertFalse(Counter.with_user(user_b).search([("rule_id", "=", rule.id)]))
        self.assertFalse(self.Rule.with_user(user_b).search([("id", "=", rule.id)]))
        with self.assertRaises(AccessError):
            rule.product_sequence_ids.with_user(user_b).read(["number_next_actual"])
        rule.company_id = False  # a shared rule and its counters are seen by every company
        self.assertTrue(Counter.with_user(user_b).search([("rule_id", "=", rule.id)]))
        # the preview does not show the reference of a product of another company
        rule.preview_product_id = self._product("LT Rye of B", "RYEB", company_id=company_b.id)
        self.assertNotIn("RYEB", rule.with_user(user_a).preview)

    def test_inventory_manager_cannot_give_a_rule_another_sequence(self):
        """A rule's counters are its own sequences: an inventory manager cannot point a
        rule (or a product counter) at another sequence, which the rule would then rename,
        restart and delete with itself."""
        other = self.env.ref("stock.sequence_production_lots")
        manager = self._user("lt_seq_manager", groups="stock.group_stock_manager")
        rule = self._rule("{code}-{seq:4}", scope="product").with_user(manager)
        Rule = self.Rule.with_user(manager)
        with self.assertRaisesRegex(AccessError, "the rule itself"):
            rule.write({"sequence_id": other.id})
        with self.assertRaises(AccessError):
            rule.write(
                {
                    "product_sequence_ids": [
                        Command.create({"product_id": self.product.id, "sequence_id": other.id})
                    ]
                }
            )
        with self.assertRaises(AccessError):
            self.env["lot.numbering.rule.sequence"].with_user(manager).create(
                {"rule_id": rule.id, "product_id": self.product.id, "sequence_id": other.id}
            )
        with self.assertRaisesRegex(AccessError, "the rule itself"):
            rule.copy({"sequence_id": other.id})
        self.env["ir.default"].with_user(manager).set(
            "lot.numbering.rule", "sequence_id", other.id, user_id=True
        )
        created = Rule.with_context(default_sequence_id=other.id).create(
            {"name": "LT by defaults", "pattern": "D-{seq:3}", "reset": "never"}
        )
        quick = Rule.with_context(
            default_sequence_id=other.id, default_pattern="N-{seq:3}", default_reset="never"
        ).name_create("LT quick")
        created |= Rule.browse(quick[0])
        for new_rule in created:
            self.assertTrue(new_rule.sequence_id)
            self.assertNotEqual(new_rule.sequence_id, other)
        (rule | created).unlink()
        self.assertTrue(other.exists())
        self.assertEqual(other.code, "stock.lot.serial")

    # ------------------------------------------------------------------ validation

    def test_bad_patterns_are_refused(self):
        bad = [
            ("{foo}-{seq:4}", "never", "not a known token"),
            ("LOT-{seq:4", "never", "brace without its pair"),
            ("LOT}-{seq:4}", "never", "brace without its pair"),
            ("LOT-{{seq:4}}", "never", "brace without its pair"),
            ("LOT-0001", "never", "no sequence number"),
            ("{seq}", "never", "number of digits"),
            ("{seq:0}", "never", "number of digits"),
            ("{seq:11}", "never", "number of digits"),
            ("{seq:x}", "never", "number of digits"),
            ("{seq:2}-{seq:2}", "never", "only once"),
            ("{seq:4}{check:mod11}", "never", "not a known check character"),
            ("{check:mod10}{seq:4}", "never", "must end the pattern"),
            ("{seq:4}{check:mod10}{check:luhn}", "never", "only one check character"),
            ("LOT 1-{seq:4}", "never", "characters that GS1 does not allow"),
            ("LOTÉ-{seq:4}", "never", "characters that GS1 does not allow"),
            ("VERY-LONG-PREFIX-{seq:6}", "never", "can be 23 characters long"),
            ("{company}{warehouse}{categ}{seq:6}", "never", "can be 21 characters long"),
            ("{categ}{yyyy}{doy}{seq:8}{check:luhn}", "never", "can be 21 characters long"),
            ("L{seq:4}", "yearly", r"restarts every year.*the year"),
            ("{yy}-{seq:4}", "monthly", r"restarts every month.*the month"),
            ("{yy}{ww}-{seq:4}", "monthly", r"restarts every month"),
            ("{yyyy}{mm}-{seq:4}", "daily", r"restarts every day.*the day"),
        ]
        count = self.Rule.search_count([])
        for pattern, reset, message in bad:
            with self.subTest(pattern=pattern), self.assertRaises(ValidationError) as capture:
                self.Rule.create({"name": "Bad", "pattern": pattern, "reset": reset})
            self.assertRegex(str(capture.exception), message)
        self.assertEqual(self.Rule.search_count([]), count)
        rule = self._rule("OK-{seq:4}")
        for pattern, reset, message in bad:
            with self.subTest(pattern=pattern), self.assertRaises(ValidationError) as capture:
                rule.write({"pattern": pattern, "reset": reset})
            self.assertRegex(str(capture.exception), message)
        rule.invalidate_recordset()
        self.assertEqual((rule.pattern, rule.reset), ("OK-{seq:4}", "never"))

    def test_good_patterns_are_accepted(self):
        for pattern, reset in [
            ("{code}-{yy}{doy}-{seq:4}{check:mod10}", "daily"),
            ("{yyyy}{mm}{dd}{seq:10}", "daily"),
            ("{ yy }{mm}-{seq:4}", "monthly"),
            ("{categ}{company}{warehouse}{seq:5}", "never"),
            ("{supplier}/{ww}{yy}-{seq:3}{check:luhn}", "yearly"),
        ]:
            with self.subTest(pattern=pattern):
                self.assertTrue(
                    self.Rule.create({"name": "Good", "pattern": pattern, "reset": reset})
                )

    # ------------------------------------------------------------------ operations

    def _receipt(self, products_qty, scheduled="2025-03-14 09:00:00"):
        picking_type = self.warehouse.in_type_id
        return self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "partner_id": self.supplier.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
                "scheduled_date": scheduled,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "product_uom": product.uom_id.id,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.stock_location.id,
                            "date": scheduled,
                        }
                    )
                    for product, qty in products_qty
                ],
            }
        )

    def test_receipt_lines_named_by_rule(self):
        rule = self._rule("{supplier}{yy}{mm}{warehouse}{seq:3}")
        serial = self._product("LT Oven", "OVEN", tracking="serial")
        serial.lot_numbering_rule_id = rule
        no_rule = self._product("LT Salt", "SALT")
        no_rule.categ_id = self.env.ref("product.product_category_all")
        receipt = self._receipt([(self.product, 10), (serial, 2), (no_rule, 5)])
        receipt.action_confirm()
        receipt.action_assign()
        lines = receipt.move_line_ids
        by_product = {
            p: lines.filtered(lambda ml, p=p: ml.product_id == p) for p in lines.product_id
        }
        self.assertEqual(by_product[self.product].mapped("lot_name"), ["SUP72503WH001"])
        self.assertEqual(by_product[serial].mapped("lot_name"), ["SUP72503WH002", "SUP72503WH003"])
        self.assertEqual(by_product[no_rule].mapped("lot_name"), [False])
        by_product[no_rule].lot_name = "SALT-1"
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        self.assertEqual(
            receipt.move_line_ids.lot_id.filtered(lambda lot: lot.product_id != no_rule).mapped(
                "name"
            ),
            ["SUP72503WH001", "SUP72503WH002", "SUP72503WH003"],
        )

    def test_receipt_line_with_typed_lot_keeps_it(self):
        self._rule("R-{seq:3}")
        receipt = self._receipt([(self.product, 10)])
        receipt.action_confirm()
        move = receipt.move_ids
        move.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": move.id,
                "picking_id": receipt.id,
                "product_id": self.product.id,
                "quantity": 10,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.stock_location.id,
                "lot_name": "TYPED",
            }
        )
        self.assertEqual(move.move_line_ids.mapped("lot_name"), ["TYPED"])
        # R-001 was drawn at confirmation for the removed line; typed names draw nothing
        self.assertEqual(
            self.product._get_lot_numbering_rule()._next_lot_name(self.product), "R-002"
        )

    def test_manufacturing_order_finished_lot(self):
        rule = self._rule("{code}{warehouse}{yy}{mm}{dd}-{seq:2}")
        component = self.env["product.product"].create({"name": "LT Flour", "is_storable": True})
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": self.product.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": component.id, "product_qty": 1})],
            }
        )
        core_next = self.core_sequence.number_next_actual
        production = self.env["mrp.production"].create(
            {
                "product_id": self.product.id,
                "bom_id": bom.id,
                "product_qty": 5,
                "date_start": "2025-06-10 08:00:00",
                "picking_type_id": self.warehouse.manu_type_id.id,
            }
        )
        production.action_confirm()
        production.action_generate_serial()
        self.assertEqual(production.lot_producing_id.name, "CAKEWH250610-01")
        self.core_sequence.invalidate_recordset()
        self.assertEqual(self.core_sequence.number_next_actual, core_next)
        self.assertEqual(
            rule._preview_lot_names(self.product, count=1, date=date(2025, 6, 10)),
            ["CAKEWH250610-02"],
        )

    def test_date_tokens_read_in_the_warehouse_time_zone(self):
        """20:00 UTC on 10 June is already 11 June in an Auckland warehouse, whatever the
        user's time zone."""
        rule = self._rule("{yy}{mm}{dd}-{seq:3}")
        auckland = self.env["stock.warehouse"].create(
            {
                "name": "LT Auckland",
                "code": "AKL",
                "partner_id": self.env["res.partner"]
                .create({"name": "LT Auckland depot", "tz": "Pacific/Auckland"})
                .id,
            }
        )
        user = self._user("lt_tz_namer")
        user.tz = "Europe/Brussels"
        names = self._generate(
            user, rule, count=1, date="2025-06-10 20:00:00", warehouse_id=auckland.id
        )
        self.assertEqual(names, ["250611-001"])

    def test_produce_in_batch_uses_the_rule(self):
        """*Produce in batch* of 3 serial numbers, by a manufacturing user: the names come
        from the product's rule, dated by the order's start, not counted up from core's."""
        oven = self._product("LT Oven", "OVEN", tracking="serial")
        rule = self._rule("{code}{yy}{mm}-{seq:3}{check:mod10}", assign=False)
        oven.lot_numbering_rule_id = rule
        component = self.env["product.product"].create({"name": "LT Steel", "is_storable": True})
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": oven.product_tmpl_id.id,
                "product_qty": 1,
                "bom_line_ids": [Command.create({"product_id": component.id, "product_qty": 1})],
            }
        )
        user = self._user("lt_batch_maker", "mrp.group_mrp_user,stock.group_production_lot")
        production = (
            self.env["mrp.production"]
            .with_user(user)
            .create(
                {
                    "product_id": oven.id,
                    "bom_id": bom.id,
                    "product_qty": 3,
                    "date_start": "2025-06-10 08:00:00",
                    "picking_type_id": self.warehouse.manu_type_id.id,
                }
            )
        )
        production.action_confirm()
        wizard = (
            self.env["mrp.batch.produce"].with_user(user).create({"production_id": production.id})
        )
        self.assertFalse(wizard.lot_name)
        wizard.action_generate_production_text()
        expected = [
            f"OVEN2506-{number}{gtin_check_digit(f'2506{number}')}"
            for number in ("001", "002", "003")
        ]
        self.assertEqual(wizard.production_text.split("\n"), expected)
        wizard.action_prepare()
        productions = production.procurement_group_id.mrp_production_ids
        self.assertEqual(sorted(productions.lot_producing_id.mapped("name")), expected)
        self.assertEqual(
            rule._preview_lot_names(oven, count=1, date=date(2025, 6, 10))[0][:12], "OVEN2506-004"
        )

    def test_generate_lots_dialog(self):
        self._rule("{supplier}{yy}{mm}-{seq:3}")
        receipt = self._receipt([(self.product, 30)])
        context = {
            "default_product_id": self.product.id,
            "default_location_id": self.supplier_location.id,
            "default_location_dest_id": self.stock_location.id,
            "default_picking_id": receipt.id,
            "default_picking_type_id": receipt.picking_type_id.id,
            "default_company_id": self.company.id,
            "default_tracking": "lot",
            "default_quantity": 30,
        }
        vals = self.env["stock.move"].action_generate_lot_line_vals(context, "generate", "", 10, "")
        self.assertEqual(
            [(v["lot_name"], v["quantity"]) for v in vals],
            [("SUP72503-001", 10), ("SUP72503-002", 10), ("SUP72503-003", 10)],
        )
        # a first name typed by the user wins: core's numbering from it
        vals = self.env["stock.move"].action_generate_lot_line_vals(
            context, "generate", "MY-07", 15, ""
        )
        self.assertEqual([v["lot_name"] for v in vals], ["MY-07", "MY-08"])

    def test_generate_serial_numbers_on_move(self):
        serial = self._product("LT Oven", "OVEN", tracking="serial")
        rule = self._rule("{code}{yy}-{seq:3}", reset="yearly")
        serial.lot_numbering_rule_id = rule
        receipt = self._receipt([(serial, 3)])
        move = receipt.move_ids
        move._generate_serial_numbers(False, next_serial_count=3)
        self.assertEqual(
            sorted(move.move_line_ids.mapped("lot_name")),
            ["OVEN25-001", "OVEN25-002", "OVEN25-003"],
        )


@tagged("post_install", "-at_install")
class TestLotNumberingConcurrency(TransactionCase):
    """Six transactions number the first lots of a new counter with one rule at the same
    time, each in its own cursor, without retrying (as crons, imports and scripts do),
    and commit: no serialization error, no duplicate name, one counter.

    Data is created and removed in separate committed transactions; the test's own cursor
    is not used.
    """

    THREADS = 6
    LOTS_PER_THREAD = 5

    def _committed(self, func):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            result = func(env)
            cr.commit()  # pylint: disable=invalid-commit
            return result

    def _setup_rule(self, pattern, reset, scope):
        def create(env):
            product = env["product.product"].create(
                {
                    "name": "LT Concurrent",
                    "default_code": "CONC",
                    "is_storable": True,
                    "tracking": "lot",
                }
            )
            rule = env["lot.numbering.rule"].create(
                {
                    "name": "LT Concurrent",
                    "pattern": pattern,
                    "reset": reset,
                    "sequence_scope": scope,
                }
            )
            product.lot_numbering_rule_id = rule
            return product.id, rule.id

        product_id, rule_id = self._committed(create)

        def cleanup(env):
            env["stock.lot"].search([("product_id", "=", product_id)]).unlink()
            env["lot.numbering.rule"].browse(rule_id).unlink()
            product = env["product.product"].browse(product_id)
            template = product.product_tmpl_id
            product.unlink()
            template.unlink()

        self.addCleanup(self._committed, cleanup)
        return product_id, rule_id

    def _run_threads(self, product_id, production_date):
        barrier = threading.Barrier(self.THREADS)
        names, errors = [], []

        def create_lots(env):
            lots = env["stock.lot"].create(
                [
                    {"product_id": product_id, "production_date": production_date}
                    for _i in range(self.LOTS_PER_THREAD)
                ]
            )
            return lots.mapped("name")

        def work():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    barrier.wait(timeout=30)
                    result = create_lots(env)
                    cr.commit()  # pylint: disable=invalid-commit
                    names.extend(result)
            except Exception as error:  # reported by the assertion below
                errors.append(repr(error))

        threads = [threading.Thread(target=work) for _i in range(self.THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(errors)
        return names

    def test_concurrent_per_product_counter_creation(self):
        product_id, rule_id = self._setup_rule("C-{seq:4}", "never", "product")
        names = self._run_threads(product_id, False)
        total = self.THREADS * self.LOTS_PER_THREAD
        self.assertEqual(len(names), total)
        self.assertEqual(len(set(names)), total)
        self.assertTrue(all(name.startswith("C-") and len(name) == 6 for name in names))

        def links(env):
            return env["lot.numbering.rule.sequence"].search_count([("rule_id", "=", rule_id)])

        self.assertEqual(self._committed(links), 1)

    def test_concurrent_new_day_per_product_counter(self):
        product_id, rule_id = self._setup_rule("{yy}{doy}-{seq:3}", "daily", "product")
        names = self._run_threads(product_id, "2031-05-10")
        total = self.THREADS * self.LOTS_PER_THREAD
        self.assertEqual(sorted(names), [f"31130-{n:03d}" for n in range(1, total + 1)])

        def counters(env):
            links = env["lot.numbering.rule.sequence"].search([("rule_id", "=", rule_id)])
            return len(links), len(links.sequence_id.date_range_ids)

        self.assertEqual(self._committed(counters), (1, 1))

    def test_concurrent_new_month_shared_counter(self):
        product_id, rule_id = self._setup_rule("{yy}{mm}-{seq:4}", "monthly", "shared")
        names = self._run_threads(product_id, "2031-05-10")
        total = self.THREADS * self.LOTS_PER_THREAD
        self.assertEqual(len(set(names)), total)
        self.assertEqual(sorted(names), [f"3105-{n:04d}" for n in range(1, total + 1)])

        def ranges(env):
            return len(env["lot.numbering.rule"].browse(rule_id).sequence_id.date_range_ids)

        self.assertEqual(self._committed(ranges), 1)
