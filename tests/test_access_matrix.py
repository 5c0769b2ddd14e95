from odoo.tests import TransactionCase, new_test_user, tagged

SUITE = ("lot_traceability", "lot_fefo", "lot_recall", "lot_account")

# Who may read (r), write (w), create (c) and unlink (u) the records of each model of the
# suite, one user per group (with the groups it implies). This table is the
# specification: change it together with the addons' security/ir.model.access.csv.
# Abstract models (engines, exports, reports, demo helpers) have no records and no rights.
GROUPS = {
    "inventory": "stock.group_stock_user",
    "stock_manager": "stock.group_stock_manager",
    "quality": "lot_fefo.group_lot_quality_manager",
    "recall_user": "lot_recall.group_recall_user",
    "recall_manager": "lot_recall.group_recall_manager",
    "account_readonly": "account.group_account_readonly",
    "account_manager": "account.group_account_manager",
    "portal": "base.group_portal",
}
# fmt: off
EXPECTED = {
    # one cell per group, as in GROUPS:           inv  stkm qual recu recm acro acmg port
    "lot.trace":                                 "rwcu rwcu rwcu rwcu rwcu ---- ---- ----",
    "lot.trace.line":                            "rwcu rwcu rwcu rwcu rwcu ---- ---- ----",
    "lot.numbering.rule":                        "r--- rwcu r--- r--- r--- ---- ---- ----",
    "lot.numbering.rule.sequence":               "r--- r--- r--- r--- r--- ---- ---- ----",
    "lot.status.change":                         "---- ---- rwcu ---- ---- ---- ---- ----",
    "lot.expiry.digest":                         "r--- rw-- rw-- r--- r--- ---- ---- ----",
    "lot.expiry.digest.line":                    "r--- r--- r--- r--- r--- ---- ---- ----",
    "lot.unusable.scrap":                        "---- rwcu rwcu ---- ---- ---- ---- ----",
    "lot.unusable.scrap.line":                   "---- rwcu rwcu ---- ---- ---- ---- ----",
    "lot.near.expiry.report":                    "r--- r--- r--- r--- r--- ---- ---- ----",
    "lot.fefo.compliance.report":                "r--- r--- r--- r--- r--- ---- ---- ----",
    "lot.recall":                                "---- ---- ---- r--- rwcu ---- ---- ----",
    "lot.recall.lot":                            "---- ---- ---- r--- r--- ---- ---- ----",
    "lot.recall.delivery":                       "---- ---- ---- r--- r--- ---- ---- ----",
    "lot.recall.customer":                       "---- ---- ---- r--- rw-- ---- ---- ----",
    "lot.recall.start":                          "---- ---- ---- ---- rwcu ---- ---- ----",
    "lot.regulator.export":                      "---- rwcu ---- rwcu rwcu ---- ---- ----",
    "lot.eu.trace.report":                       "---- rwcu ---- rwcu rwcu ---- ---- ----",
    "lot.cogs.allocation":                       "---- ---- ---- ---- ---- r--- r--- ----",
    "lot.cogs.report":                           "---- ---- ---- ---- ---- r--- r--- ----",
    "lot.valuation.reconciliation":              "---- ---- ---- ---- ---- rwcu rwcu ----",
    "lot.valuation.reconciliation.line":         "---- ---- ---- ---- ---- rwcu rwcu ----",
    "lot.valuation.reconciliation.difference":   "---- ---- ---- ---- ---- rwcu rwcu ----",
}
# fmt: on
MODES = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


@tagged("post_install", "-at_install")
class TestAccessMatrix(TransactionCase):
    """Each group of the suite against each model of the suite, operation by operation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            key: new_test_user(cls.env, login=f"matrix_{key}", groups=group)
            for key, group in GROUPS.items()
        }

    def _suite_models(self):
        """Models defined by the suite that hold records (regular, transient, SQL views)."""
        return {
            name
            for name in self.env.registry
            if self.env[name]._original_module in SUITE and not self.env[name]._abstract
        }

    def test_every_suite_model_is_in_the_table(self):
        models = self._suite_models()
        self.assertFalse(
            models - set(EXPECTED),
            "models of the suite missing from the access matrix: add their expected rights",
        )
        self.assertFalse(set(EXPECTED) - models, "the access matrix names unknown models")

    def test_rights_of_each_group_on_each_model(self):
        Access = self.env["ir.model.access"]
        differences = []
        for model, row in EXPECTED.items():
            for (key, user), expected in zip(self.users.items(), row.split(), strict=True):
                actual = "".join(
                    letter
                    if Access.with_user(user).check(model, mode, raise_exception=False)
                    else "-"
                    for letter, mode in MODES.items()
                )
                if actual != expected:
                    differences.append(f"{model} / {key}: expected {expected}, got {actual}")
        self.assertFalse(differences, "\n".join(["access rights differ:", *differences]))

    def test_every_suite_model_with_a_company_has_a_multi_company_rule(self):
        """A model with a company, or owned by a suite record with one, keeps to it."""
        Rule = self.env["ir.rule"].sudo()
        missing = []
        for model in sorted(self._suite_models()):
            path = self._company_path(model)
            if not path:
                continue
            rules = Rule.search(
                [("model_id.model", "=", model), ("global", "=", True), ("perm_read", "=", True)]
            )
            if not any(
                "company_ids" in rule.domain_force and path in rule.domain_force for rule in rules
            ):
                missing.append(f"{model} ({path})")
        self.assertFalse(
            missing,
            "models without a global multi-company record rule on company_ids: "
            + ", ".join(missing),
        )

    def _company_path(self, model):
        """``company_id``, or ``<parent>.company_id`` through a required parent of the suite."""
        fields = self.env[model]._fields
        if "company_id" in fields:
            return "company_id"
        for name, field in fields.items():
            if field.type != "many2one" or not field.required or field.ondelete != "cascade":
                continue
            parent = self.env[field.comodel_name]
            if parent._original_module in SUITE and "company_id" in parent._fields:
                return f"{name}.company_id"
        return None
