"""Lot numbering rules: patterns that name new lots, backed by ir.sequence counters.

A pattern is literal text with tokens in braces, e.g. ``{code}-{yy}{doy}-{seq:4}{check:mod10}``.
The number of ``{seq:N}`` comes from an ``ir.sequence`` with the *standard* implementation (a
PostgreSQL sequence: concurrent transactions never get the same number). Resets use the
sequence's date ranges (``use_date_range``): one range per year, month or day, created by
``ir.sequence._create_date_range_seq`` (extended in ``ir_sequence.py``). A counter is created
on first use, safely when several transactions start it at once
(``LotNumberingRule._counter_name``).
"""

import calendar
import datetime
import re

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import gs1, timezones
from ..tools.protected import code_defaults

# GS1 lot numbers (AI 10) hold at most 20 characters of the GS1 "AI encodable character set 82".
GS1_LOT_MAX_LENGTH = 20
GS1_CHARSET_82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)

# Token -> longest value it can give; None when the length is only known at generation.
TOKEN_MAX_LENGTHS = {
    "code": None,  # product internal reference: any length
    "categ": 5,  # product.category.lot_code (size=5)
    "company": 5,  # res.company.lot_code (size=5)
    "warehouse": 5,  # stock.warehouse.code (size=5)
    "supplier": None,  # vendor's partner reference: any length
    "yyyy": 4,
    "yy": 2,
    "mm": 2,
    "dd": 2,
    "ww": 2,
    "doy": 3,
}
SEQ_MAX_DIGITS = 10
CHECK_METHODS = ("mod10", "luhn")

_TOKEN_RE = re.compile(r"\{([^{}]*)\}")


def luhn(digits):
    """Luhn (ISO/IEC 7812) check digit of a string of digits."""
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2 == 0:  # the digit next to the check digit is doubled
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


CHECK_FUNCTIONS = {"mod10": gs1.gtin_check_digit, "luhn": luhn}

# The rule's own sequences: created, renamed, restarted and deleted with it, only by the
# rule itself (superuser).
SEQUENCE_FIELDS = {"sequence_id", "product_sequence_ids"}

# First key of the advisory lock taken while a counter is created (second key: the rule).
COUNTER_LOCK_KEY = 0x4C4F54  # "LOT"


def parse_pattern(env, pattern):
    """Split a pattern into parts and validate it; raise ValidationError when it is wrong.

    :return: list of ``(kind, value)``: ``("text", "LOT-")``, ``("code", None)``,
        ``("seq", 4)``, ``("check", "mod10")``...
    """
    if not pattern:
        raise ValidationError(env._("Enter a pattern, e.g. LOT-{yy}{doy}-{seq:4}."))
    parts = []
    position = 0
    for match in _TOKEN_RE.finditer(pattern):
        parts.extend(_parse_text(env, pattern[position : match.start()]))
        parts.append(_parse_token(env, match.group(1)))
        position = match.end()
    parts.extend(_parse_text(env, pattern[position:]))

    kinds = [kind for kind, _value in parts]
    if "seq" not in kinds:
        raise ValidationError(
            env._(
                "The pattern %(pattern)s has no sequence number: add {seq:N} (N digits, "
                "e.g. {seq:4}) so that every lot gets a different name.",
                pattern=pattern,
            )
        )
    if kinds.count("seq") > 1:
        raise ValidationError(env._("Use {seq:N} only once in a pattern."))
    if kinds.count("check") > 1:
        raise ValidationError(env._("Use only one check character in a pattern."))
    if "check" in kinds and kinds[-1] != "check":
        raise ValidationError(
            env._("The check character ({check:mod10} or {check:luhn}) must end the pattern.")
        )
    return parts


def _parse_text(env, text):
    if "{" in text or "}" in text:
        raise ValidationError(
            env._(
                "The pattern has a brace without its pair near %(text)s: write every token "
                "between { and }, e.g. {seq:4}, and do not use braces in the fixed text.",
                text=text,
            )
        )
    bad = sorted({char for char in text if char not in GS1_CHARSET_82})
    if bad:
        raise ValidationError(
            env._(
                "The fixed text %(text)s contains characters that GS1 does not allow in a lot "
                "number: %(chars)s. Use letters, digits and - . / _ and the like, no spaces "
                "or accents.",
                text=repr(text),
                chars=" ".join(repr(char) for char in bad),
            )
        )
    return [("text", text)] if text else []


def _parse_token(env, token):
    name, sep, arg = token.strip().partition(":")
    name = name.strip()
    arg = arg.strip()
    if name in TOKEN_MAX_LENGTHS and not sep:
        return (name, None)
    if name == "seq":
        if not arg.isdigit() or not 1 <= int(arg) <= SEQ_MAX_DIGITS:
            raise ValidationError(
                env._(
                    "Give the number of digits of the sequence number between 1 and %(max)s, "
                    "e.g. {seq:4} gives 0001, 0002...; {%(token)s} is not valid.",
                    max=SEQ_MAX_DIGITS,
                    token=token,
                )
            )
        return ("seq", int(arg))
    if name == "check":
        if arg not in CHECK_METHODS:
            raise ValidationError(
                env._(
                    "{%(token)s} is not a known check character: use {check:mod10} (GS1) "
                    "or {check:luhn}.",
                    token=token,
                )
            )
        return ("check", arg)
    raise ValidationError(
        env._(
            "{%(token)s} is not a known token. Known tokens: {code}, {categ}, {company}, "
            "{warehouse}, {supplier}, {yyyy}, {yy}, {mm}, {dd}, {ww}, {doy}, {seq:N}, "
            "{check:mod10}, {check:luhn}.",
            token=token,
        )
    )


def period_bounds(date, reset):
    """First and last day of the period of ``reset`` ('yearly', 'monthly', 'daily') of date."""
    if reset == "daily":
        return date, date
    if reset == "monthly":
        last_day = calendar.monthrange(date.year, date.month)[1]
        return date.replace(day=1), date.replace(day=last_day)
    return date.replace(month=1, day=1), date.replace(month=12, day=31)


class LotNumberingRule(models.Model):
    _name = "lot.numbering.rule"
    _description = "Lot Numbering Rule"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        help="Leave empty to share the rule between companies.",
    )
    pattern = fields.Char(
        required=True,
        default="L{yy}{doy}-{seq:4}",
        help="Fixed text and tokens in braces: {code} product internal reference, {categ} "
        "category lot code, {company} company lot code, {warehouse} warehouse short name, "
        "{supplier} vendor reference, {yyyy} {yy} {mm} {dd} {ww} (ISO week) {doy} (day of "
        "the year, 001-366) of the production or receipt date, {seq:N} sequence number on N "
        "digits, and at the end an optional check character {check:mod10} (GS1) or "
        "{check:luhn}, computed over the digits of the name before it.",
    )
    reset = fields.Selection(
        [
            ("never", "Never"),
            ("yearly", "Every year"),
            ("monthly", "Every month"),
            ("daily", "Every day"),
        ],
        string="Restart Numbering",
        required=True,
        default="yearly",
        help="When the sequence number starts again at 1, according to the production or "
        "receipt date of the lot.",
    )
    sequence_scope = fields.Selection(
        [("shared", "Shared by all products"), ("product", "One per product")],
        string="Numbering",
        required=True,
        default="shared",
        help="Shared: all the products of the rule draw from one counter. One per product: "
        "each product has its own counter, created when its first lot is numbered.",
    )
    sequence_id = fields.Many2one(
        "ir.sequence",
        string="Shared Sequence",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    product_sequence_ids = fields.One2many(
        "lot.numbering.rule.sequence", "rule_id", string="Product Sequences", readonly=True
    )
    preview_product_id = fields.Many2one(
        "product.product",
        string="Sample Product",
        domain="[('tracking', '!=', 'none')]",
        help="Product used to show the next lot names in the preview.",
    )
    preview = fields.Text(
        compute="_compute_preview",
        help="Next names for the sample product, as of today. Nothing is consumed.",
    )

    # ------------------------------------------------------------------ validation

    @api.constrains("pattern", "reset")
    def _check_pattern(self):
        for rule in self:
            parts = parse_pattern(self.env, rule.pattern)
            kinds = {kind for kind, _value in parts}
            max_length = sum(rule._part_max_length(kind, value) for kind, value in parts)
            if max_length > GS1_LOT_MAX_LENGTH:
                raise ValidationError(
                    self.env._(
                        "Lot names made with the pattern %(pattern)s can be %(length)s "
                        "characters long, but GS1 lot numbers are limited to %(max)s. Shorten "
                        "the fixed text or the number of digits.",
                        pattern=rule.pattern,
                        length=max_length,
                        max=GS1_LOT_MAX_LENGTH,
                    )
                )
            rule._check_pattern_dates(kinds)

    def _part_max_length(self, kind, value):
        if kind == "text":
            return len(value)
        if kind == "seq":
            return value
        if kind == "check":
            return 1
        # unknown length (product reference, supplier reference): at least one character,
        # the real length is checked again when a name is generated
        return TOKEN_MAX_LENGTHS[kind] or 1

    def _check_pattern_dates(self, kinds):
        self.ensure_one()
        has_year = bool(kinds & {"yyyy", "yy"})
        needed = {
            "never": True,
            "yearly": has_year,
            "monthly": has_year and bool(kinds & {"mm", "doy"}),
            "daily": has_year and ("doy" in kinds or {"mm", "dd"} <= kinds),
        }[self.reset]
        if not needed:
            period = {
                "yearly": self.env._("the year ({yyyy} or {yy})"),
                "monthly": self.env._("the year ({yyyy} or {yy}) and the month ({mm} or {doy})"),
                "daily": self.env._(
                    "the year ({yyyy} or {yy}) and the day ({doy}, or {mm} and {dd})"
                ),
            }[self.reset]
            raise ValidationError(
                self.env._(
                    "The numbering of rule %(rule)s restarts %(reset)s, so its pattern must "
                    "contain %(period)s, or the same names would come again.",
                    rule=self.name,
                    reset=dict(self._fields["reset"].selection)[self.reset].lower(),
                    period=period,
                )
            )

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_sequence_fields({name for name, value in vals.items() if value})
        rules = super().create(code_defaults(self, vals_list, SEQUENCE_FIELDS))
        for rule in rules:
            rule.sudo().sequence_id = rule._create_sequence()
        return rules

    def _check_sequence_fields(self, fields_written):
        """Refuse, to anyone but the superuser, the rule's sequences: the rule creates,
        renames, restarts and deletes them, so they must be its own."""
        if SEQUENCE_FIELDS & fields_written and not self.env.su:
            raise AccessError(
                self.env._("The sequences of a lot numbering rule are kept by the rule itself.")
            )

    def write(self, vals):
        self._check_sequence_fields(set(vals))
        old_resets = {rule: rule.reset for rule in self}
        res = super().write(vals)
        if "reset" in vals:
            for rule in self.filtered(lambda r: r.reset != old_resets[r]):
                sequences = rule._all_sequences()
                # the counters restart in the new periods; names already used for a
                # product are skipped when generating (see _next_lot_name)
                sequences.date_range_ids.unlink()
                sequences.write({"use_date_range": rule.reset != "never"})
        if "name" in vals or "company_id" in vals:
            for rule in self:
                rule._all_sequences().write({"company_id": rule.company_id.id})
                rule.sequence_id.sudo().write({"name": rule._sequence_vals()["name"]})
        for rule in self.filtered(lambda r: not r.sequence_id):
            rule.sudo().sequence_id = rule._create_sequence()
        return res

    def unlink(self):
        sequences = self._all_sequences()
        self.product_sequence_ids.sudo().unlink()
        res = super().unlink()
        sequences.unlink()
        return res

    def _all_sequences(self):
        return (self.sequence_id | self.product_sequence_ids.sequence_id).sudo()

    def _sequence_vals(self, product=None):
        self.ensure_one()
        name = self.env._("Lot numbering: %s", self.name)
        if product:
            name = f"{name} ({product.display_name})"
        return {
            "name": name,
            "implementation": "standard",
            "use_date_range": self.reset != "never",
            "padding": 0,
            "number_next": 1,
            "number_increment": 1,
            "company_id": self.company_id.id,
        }

    def _create_sequence(self, product=None):
        return self.env["ir.sequence"].sudo().create(self._sequence_vals(product))

    # ------------------------------------------------------------------ sequences

    def _get_sequence(self, product):
        """The ir.sequence giving the numbers of ``product`` under this rule, as this
        transaction sees it (empty when its counter was not created yet)."""
        self.ensure_one()
        rule = self.sudo()
        if rule.sequence_scope == "shared":
            return rule.sequence_id
        return (
            self.env["lot.numbering.rule.sequence"]
            .sudo()
            .search([("rule_id", "=", rule.id), ("product_id", "=", product.id)], limit=1)
            .sequence_id
        )

    def _counter_ids(self, cr, product, date):
        """(sequence id, date range id) of the counter of ``product`` for ``date`` as seen
        by cursor ``cr``: None for a part not created yet; the date range is 0 when the
        numbering never restarts."""
        self.ensure_one()
        if self.sequence_scope == "shared":
            cr.execute("SELECT sequence_id FROM lot_numbering_rule WHERE id = %s", [self.id])
        else:
            cr.execute(
                "SELECT sequence_id FROM lot_numbering_rule_sequence"
                " WHERE rule_id = %s AND product_id = %s",
                [self.id, product.id],
            )
        row = cr.fetchone()
        sequence_id = row and row[0]
        if not sequence_id:
            return None, None
        if self.reset == "never":
            return sequence_id, 0
        cr.execute(
            "SELECT id FROM ir_sequence_date_range WHERE sequence_id = %s"
            " AND date_from <= %s AND date_to >= %s ORDER BY id LIMIT 1",
            [sequence_id, date, date],
        )
        row = cr.fetchone()
        return sequence_id, row and row[0]

    def _counter_create(self, product, date, sequence_id=None):
        """Create what is missing of the counter of ``product`` for ``date`` in this
        rule's environment: its sequence unless ``sequence_id`` is given, then its date
        range. Returns (sequence id, date range id)."""
        self.ensure_one()
        rule = self.sudo()
        sequence = rule.env["ir.sequence"].browse(sequence_id)
        if not sequence:
            sequence = rule._create_sequence(None if rule.sequence_scope == "shared" else product)
            if rule.sequence_scope == "shared":
                rule.sequence_id = sequence
            else:
                rule.env["lot.numbering.rule.sequence"].create(
                    {"rule_id": rule.id, "product_id": product.id, "sequence_id": sequence.id}
                )
        if rule.reset == "never":
            return sequence.id, 0
        date_range = sequence._create_date_range_seq(date)
        return sequence.id, date_range.id

    def _counter_name(self, product, date):
        """Name of the PostgreSQL sequence counting the lots of ``product`` for ``date``,
        created on first use.

        Safe when several transactions use a new counter at once, without retrying them
        (crons, imports and scripts do not): the first takes a lock on the rule and creates
        the counter in its transaction; the others wait for it to end, then find the
        counter with a new cursor (their own REPEATABLE READ snapshot predates it) and draw
        from its PostgreSQL sequence, which is not transactional. What another transaction
        committed in the meantime (a product's counter without the new period) is completed
        in that new cursor. Nothing is written on rows the transaction cannot see, so no
        serialization error can occur.
        """
        self.ensure_one()
        rule = self.sudo()
        date = fields.Date.to_date(date)
        for model in (
            "lot.numbering.rule",
            "lot.numbering.rule.sequence",
            "ir.sequence.date_range",
        ):
            self.env[model].flush_model()
        sequence_id, range_id = rule._counter_ids(self.env.cr, product, date)
        if range_id is None:
            self.env.cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [COUNTER_LOCK_KEY, rule.id])
            with self.env.registry.cursor() as cr:
                fresh_sequence_id, fresh_range_id = rule._counter_ids(cr, product, date)
                if fresh_sequence_id and not sequence_id:
                    # committed by another transaction since our snapshot
                    sequence_id, range_id = fresh_sequence_id, fresh_range_id
                    if range_id is None:
                        sequence_id, range_id = rule.with_env(
                            rule.env(cr=cr, su=True)
                        )._counter_create(product, date, sequence_id)
                        cr.commit()  # pylint: disable=invalid-commit
                elif fresh_range_id is not None and fresh_sequence_id == sequence_id:
                    range_id = fresh_range_id
            if range_id is None:
                sequence_id, range_id = rule._counter_create(product, date, sequence_id)
        if range_id:
            return f"ir_sequence_{sequence_id:03d}_{range_id:03d}"
        return f"ir_sequence_{sequence_id:03d}"

    def _next_number(self, product, date):
        """Consume and return the next number (int) of the product's counter for ``date``."""
        self.env.cr.execute("SELECT nextval(%s)", [self._counter_name(product, date)])
        return self.env.cr.fetchone()[0]

    def _peek_numbers(self, product, date):
        """Next number of the product's counter for ``date``, without consuming it.

        Works on a rule being edited too (a new record in a form): the counters are those of
        the saved rule, as they will be once the edited scope and reset are saved.
        """
        self.ensure_one()
        origin = self._origin.sudo()
        if not origin:
            return 1
        if self.sequence_scope == "shared":
            sequence = origin.sequence_id
        else:
            sequence = (
                self.env["lot.numbering.rule.sequence"]
                .sudo()
                .search([("rule_id", "=", origin.id), ("product_id", "=", product.id)], limit=1)
                .sequence_id
            )
        if not sequence:
            return 1
        if self.reset == "never":
            sequence.invalidate_recordset(["number_next_actual"])
            return sequence.number_next_actual
        if self.reset != origin.reset:
            return 1  # saving the new reset restarts the counters
        date_range = (
            self.env["ir.sequence.date_range"]
            .sudo()
            .search(
                [
                    ("sequence_id", "=", sequence.id),
                    ("date_from", "<=", date),
                    ("date_to", ">=", date),
                ],
                limit=1,
            )
        )
        if not date_range:
            return 1
        date_range.invalidate_recordset(["number_next_actual"])
        return date_range.number_next_actual

    # ------------------------------------------------------------------ names

    def _lot_date(self, date, warehouse=None, company=None):
        """The day of ``date`` (a date, a UTC datetime or their strings; now by default),
        a datetime read in the time zone of the warehouse, else of the company
        (``tools.timezones``)."""
        if isinstance(date, str) and len(date) > 10:  # a datetime string, in UTC
            date = fields.Datetime.to_datetime(date)
        if date and not isinstance(date, datetime.datetime):
            return fields.Date.to_date(date)
        if warehouse:
            tz = timezones.warehouse_tz(warehouse)
        else:
            tz = timezones.company_tz(company or self.company_id or self.env.company)
        return timezones.local_date(date or fields.Datetime.now(), tz)

    def _token_values(
        self, product, date, warehouse=None, partner=None, company=None, preview=False
    ):
        """Values of the pattern's tokens except {seq} and {check}.

        :raise UserError: when a value the pattern needs is missing (not in preview, where
            the token is shown as ``<token>``).
        """
        self.ensure_one()
        rule = self.sudo()
        product = product.sudo()
        company = (company or rule.company_id or product.company_id or self.env.company).sudo()
        parts = parse_pattern(self.env, rule.pattern)
        kinds = {kind for kind, _value in parts}
        values = {
            "yyyy": f"{date.year:04d}",
            "yy": f"{date.year % 100:02d}",
            "mm": f"{date.month:02d}",
            "dd": f"{date.day:02d}",
            "ww": f"{date.isocalendar()[1]:02d}",
            "doy": f"{date.timetuple().tm_yday:03d}",
        }
        missing = {}
        if "code" in kinds:
            values["code"] = product.default_code
            missing["code"] = self.env._(
                "Product %(product)s has no internal reference, which the lot numbering rule "
                "%(rule)s needs for {code}.",
                product=product.display_name,
                rule=rule.name,
            )
        if "categ" in kinds:
            categ = product.categ_id
            while categ and not categ.lot_code:
                categ = categ.parent_id
            values["categ"] = categ.lot_code
            missing["categ"] = self.env._(
                "The category %(categ)s of product %(product)s (nor its parents) has no lot "
                "code, which the lot numbering rule %(rule)s needs for {categ}.",
                categ=product.categ_id.display_name,
                product=product.display_name,
                rule=rule.name,
            )
        if "company" in kinds:
            values["company"] = company.lot_code
            missing["company"] = self.env._(
                "The company %(company)s has no lot code, which the lot numbering rule "
                "%(rule)s needs for {company} (product %(product)s). Set it in Inventory "
                "settings.",
                company=company.name,
                rule=rule.name,
                product=product.display_name,
            )
        if "warehouse" in kinds:
            if not warehouse:
                warehouse = (
                    self.env["stock.warehouse"]
                    .sudo()
                    .search([("company_id", "=", company.id)], limit=1)
                )
            values["warehouse"] = warehouse.code
            missing["warehouse"] = self.env._(
                "The lot numbering rule %(rule)s needs a warehouse for {warehouse} (product "
                "%(product)s), and none was found.",
                rule=rule.name,
                product=product.display_name,
            )
        if "supplier" in kinds:
            partner = (partner or self.env["res.partner"]).sudo()
            values["supplier"] = partner.ref or partner.commercial_partner_id.ref
            missing["supplier"] = (
                self.env._(
                    "The vendor %(partner)s has no reference, which the lot numbering rule "
                    "%(rule)s needs for {supplier} (product %(product)s).",
                    partner=partner.display_name,
                    rule=rule.name,
                    product=product.display_name,
                )
                if partner
                else self.env._(
                    "The lot numbering rule %(rule)s needs the vendor for {supplier}: number "
                    "the lots of %(product)s from the receipt, or type their name.",
                    rule=rule.name,
                    product=product.display_name,
                )
            )
        for token, message in missing.items():
            if not values.get(token):
                if not preview:
                    raise UserError(message)
                values[token] = f"<{token}>"
        return values

    def _compose(self, values, number):
        """The name for ``number`` with the token ``values``."""
        self.ensure_one()
        name = ""
        for kind, value in parse_pattern(self.env, self.pattern):
            if kind == "text":
                name += value
            elif kind == "seq":
                name += str(number).zfill(value)
            elif kind == "check":
                name += CHECK_FUNCTIONS[value]("".join(c for c in name if c.isdigit()))
            else:
                name += values[kind]
        return name

    def _check_name(self, name, product):
        if len(name) > GS1_LOT_MAX_LENGTH:
            raise UserError(
                self.env._(
                    "The lot name %(name)s made by the numbering rule %(rule)s for product "
                    "%(product)s has %(length)s characters; GS1 lot numbers are limited to "
                    "%(max)s. Shorten the product's internal reference or the rule's pattern.",
                    name=name,
                    rule=self.name,
                    product=product.display_name,
                    length=len(name),
                    max=GS1_LOT_MAX_LENGTH,
                )
            )
        bad = sorted({char for char in name if char not in GS1_CHARSET_82})
        if bad:
            raise UserError(
                self.env._(
                    "The lot name %(name)s made by the numbering rule %(rule)s for product "
                    "%(product)s contains characters GS1 does not allow in lot numbers: "
                    "%(chars)s.",
                    name=repr(name),
                    rule=self.name,
                    product=product.display_name,
                    chars=" ".join(repr(char) for char in bad),
                )
            )

    def _name_taken(self, product, name, company):
        return bool(
            self.env["stock.lot"]
            .sudo()
            .search_count(
                [
                    ("product_id", "=", product.id),
                    ("name", "=", name),
                    ("company_id", "in", [False, company.id]),
                ],
                limit=1,
            )
        )

    def _next_lot_name(self, product, date=None, warehouse=None, partner=None, company=None):
        """Consume the next number of the rule for ``product`` and return the lot name.

        :param date: production or receipt date (date, or UTC datetime); today by default
        :param warehouse: warehouse of the operation, for {warehouse}; by default the first
            warehouse of the company
        :param partner: vendor of the receipt, for {supplier}
        :raise UserError: when a value is missing or the name would not be a valid GS1 lot
        """
        self.ensure_one()
        rule = self.sudo()
        product = product.sudo()
        company = company or rule.company_id or product.company_id or self.env.company
        date = rule._lot_date(date, warehouse, company)
        values = rule._token_values(product, date, warehouse, partner, company)
        seq_digits = next(
            value for kind, value in parse_pattern(self.env, rule.pattern) if kind == "seq"
        )
        # refuse before consuming a number when even the shortest number is too long
        rule._check_name(rule._compose(values, 10 ** (seq_digits - 1)), product)
        for _attempt in range(1000):
            name = rule._compose(values, rule._next_number(product, date))
            rule._check_name(name, product)
            if not rule._name_taken(product, name, company):
                return name
        raise UserError(
            self.env._(
                "The lot numbering rule %(rule)s found no free name for product %(product)s.",
                rule=rule.name,
                product=product.display_name,
            )
        )

    def _next_lot_names(self, product, count, **kwargs):
        return [self._next_lot_name(product, **kwargs) for _i in range(count)]

    def _preview_lot_names(self, product, count=5, date=None, warehouse=None, partner=None):
        """The next ``count`` names of ``product``, without consuming any number.

        Reads the counters (``number_next_actual`` of the sequence or of its date range)
        and never calls ``next_by_id``. Tokens without value are shown as ``<token>``.
        """
        self.ensure_one()
        rule = self.sudo()
        product = product.sudo()
        company = rule.company_id or product.company_id or self.env.company
        date = rule._lot_date(date, warehouse, company)
        values = rule._token_values(product, date, warehouse, partner, company, preview=True)
        number = rule._peek_numbers(product, date)
        names = []
        while len(names) < count and number < 10**SEQ_MAX_DIGITS:
            name = rule._compose(values, number)
            if not rule._name_taken(product, name, company):
                names.append(name)
            number += 1
        return names

    @api.depends("pattern", "reset", "sequence_scope", "preview_product_id")
    def _compute_preview(self):
        for rule in self:
            # the names show the product's reference and category code: readable products only
            if not (rule.preview_product_id and rule.preview_product_id.has_access("read")):
                rule.preview = self.env._("Choose a sample product to see the next lot names.")
                continue
            try:
                names = rule._preview_lot_names(rule.preview_product_id)
            except (UserError, ValidationError) as error:
                rule.preview = error.args[0] if error.args else str(error)
                continue
            if any(len(name) > GS1_LOT_MAX_LENGTH for name in names):
                names.append(
                    self.env._(
                        "Names longer than %s characters will be refused.", GS1_LOT_MAX_LENGTH
                    )
                )
            rule.preview = "\n".join(names)
