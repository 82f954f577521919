# The two commands of the README: `make up` and `make test`.
.PHONY: up setup run check test bench i18n

up: setup run            ## set everything up, start the portal, populate it

setup:                   ## install and configure everything (idempotent)
	bin/setup

run:                     ## start CKAN, the jobs worker and the sample map server (as user jena), populate, wait
	bin/run

check:                   ## start, populate, check the API, stop
	bin/run --check

test:                    ## run the test suite (needs `make setup` once)
	bin/test

bench:                   ## run the benchmarks in bench/
	.venv/bin/python bench/pgsearch_bench.py
	.venv/bin/python bench/validation_bench.py

i18n:                    ## extract messages into the .pot, merge into de/en .po
	.venv/bin/python bin/i18n_extract.py
