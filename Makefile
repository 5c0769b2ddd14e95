# Two commands do all the set-up on a fresh machine: `make test` and `make demo`.
.PHONY: test test-core demo demo-reset bootstrap lint

test:        ## fresh test database, all tests through pytest-odoo
	@bash scripts/test.sh

test-core:   ## Odoo's own stock/mrp/expiry/valuation tests with and without the addons (~40 min)
	@bash scripts/test_core.sh

demo:        ## database lot_demo with demo data, served on http://localhost:8069
	@bash scripts/demo.sh

demo-reset:  ## rebuild lot_demo from scratch, then serve it
	@bash scripts/demo.sh --reset

bootstrap:   ## only the set-up: virtualenv, Odoo, requirements, PostgreSQL
	@bash scripts/bootstrap.sh

lint:        ## ruff and pylint-odoo, as the pre-commit hooks run them
	@.venv/bin/python -m pip install --quiet pre-commit && .venv/bin/pre-commit run --all-files

.PHONY: bench-trace
bench-trace: ## lot_bench with ~1M move lines (BENCH_RESET=1 rebuilds), trace benchmark
	@bash scripts/bench.sh $(BENCH_ARGS)

.PHONY: bench-recall
bench-recall: ## mock recall on lot_bench (built as for bench-trace): scope and FSMA spreadsheet
	@bash scripts/bench_recall.sh $(BENCH_ARGS)

.PHONY: bench-fefo
bench-fefo: ## lot_bench_fefo: 1,000 deliveries over 22,000 quants, each FEFO strategy vs FEFO
	@bash scripts/bench_fefo.sh $(BENCH_ARGS)

.PHONY: bench-graph
bench-graph: ## genealogy graph drawn in headless Chromium (BENCH_DB, default lot_bench; BENCH_LOT)
	@bash scripts/bench_graph.sh $(BENCH_ARGS)
