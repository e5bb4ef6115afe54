# Location-triggered promotions over Messenger. `make up` runs everything; `make test` tests it.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_MODULES_STAMP := node_modules/.package-lock.json

.PHONY: help deps build infra topics migrate up demo down test test-unit test-integration test-e2e lint typecheck format clean bench-geofence

help:
	@echo "make up     install, start Kafka/Redis/Postgres, build, migrate, start the six apps, play the demo"
	@echo "make down   stop the apps and the Kafka broker that make up started"
	@echo "make test   lint, typecheck, unit, integration and end-to-end tests (starts what it needs)"

$(NODE_MODULES_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $(NODE_MODULES_STAMP)

deps: $(NODE_MODULES_STAMP)

build: deps
	npm run --silent build

infra: deps
	infra/infra.sh up

topics: build infra
	node dist/scripts/provision-topics.js

migrate: build infra
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/promotions} node dist/scripts/migrate.js

up: topics migrate
	scripts/stack.sh up
	node dist/scripts/demo.js

demo: build
	node dist/scripts/demo.js

down:
	-scripts/stack.sh down
	infra/infra.sh down

lint: deps
	npx eslint . --max-warnings 0

typecheck: deps
	npx tsc -p tsconfig.json --noEmit

format: deps
	npx prettier --write .

test-unit: deps
	npx jest --selectProjects unit

test-integration: deps
	npx jest --selectProjects integration --runInBand

test-e2e: build
	npx jest --selectProjects e2e --runInBand

test: deps
	$(MAKE) typecheck lint
	npx jest --selectProjects unit
	$(MAKE) build infra
	npx jest --selectProjects integration e2e --runInBand

# Geofence engine vs Redis GEOSEARCH vs PostGIS (prints figures, ends with one JSON line). STORES=1000000 for the large run.
bench-geofence: topics
	scripts/bench-geofence.sh

clean:
	rm -rf dist .run
