# Location-triggered promotions over Messenger. `make up` runs everything; `make test` tests it.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_MODULES_STAMP := node_modules/.package-lock.json

.PHONY: help deps build infra topics migrate up demo down test test-unit test-integration test-e2e lint typecheck format clean k8s-tools test-deploy compose-up k8s-topics bench-delivery
.PHONY: republish-catalog bench-catalog
.PHONY: bench-decide
.PHONY: bench-geofence bench-floor bench-gateway bench bench-null-stack
.PHONY: chaos

help:
	@echo "make up     install, start Kafka/Redis/Postgres, build, migrate, start the six apps, play the demo"
	@echo "make down   stop the apps and the Kafka broker that make up started"
	@echo "make test   lint, typecheck, unit, integration and end-to-end tests (starts what it needs)"
	@echo "make chaos  10,000 shares while apps are SIGKILLed, the broker restarted and Redis stopped, on a"
	@echo "            private broker (9292) and Redis (6392); writes bench/results/chaos.json (lost, duplicates)"
	@echo "make bench  the whole stack under load; also bench-geofence, bench-decide, bench-catalog, bench-delivery,"
	@echo "            bench-floor (what the Kafka and Redis clients alone cost), bench-gateway (CPU per webhook against a"
	@echo "            bare node:http floor), bench-null-stack (make bench's pipeline with none of the apps' logic):"
	@echo "            BENCHMARKS.md says what each measures"

$(NODE_MODULES_STAMP): package.json package-lock.json
	@# The registry sometimes drops a connection mid-download (ECONNRESET); npm's own retries do not
	@# cover an aborted body, so the whole install is tried again, up to four times.
	@for try in 1 2 3 4; do \
	  npm ci --no-audit --no-fund --fetch-retries=5 --fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=30000 && break; \
	  if [ $$try = 4 ]; then echo "npm ci failed four times" >&2; exit 1; fi; \
	  echo "npm ci failed (try $$try of 4); trying again in $$((try * 10)) s" >&2; sleep $$((try * 10)); \
	done
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
	npx tsc -p apps/brand-api/console/tsconfig.json --noEmit

format: deps
	npx prettier --write .

test-unit: deps
	npx jest --selectProjects unit

test-integration: deps
	npx jest --selectProjects integration --runInBand

test-e2e: build
	npx jest --selectProjects e2e --runInBand

k8s-tools:
	scripts/ensure-deploy-tools.sh

# Renders every k8s overlay and checks it (schemas, policies, topics), checks the compose file.
test-deploy: deps k8s-tools
	npx jest --selectProjects deploy

# Regenerates the Strimzi KafkaTopics from libs/contracts (test-deploy fails until they match).
k8s-topics: build
	node dist/scripts/kafka-topics-manifest.js > k8s/base/kafka/topics.yaml

# On a machine with Docker: fresh SECRETS_KEYS in .env once (git-ignored), then the whole demo.
compose-up:
	@test -f .env || { echo "SECRETS_KEYS=k1:$$(head -c 32 /dev/urandom | base64)"; echo "SECRETS_ACTIVE_KID=k1"; } > .env
	docker compose up --build

test: deps
	$(MAKE) typecheck lint
	npx jest --selectProjects unit
	$(MAKE) test-deploy
	$(MAKE) build infra
	npx jest --selectProjects integration e2e --runInBand

# Delivery throughput for one Page against a running stack (PORT_BASE, default 3000): prints figures, asserts nothing.
bench-delivery: build
	node dist/scripts/bench-delivery.js $${N:-3000}

# Decisions per second of one promotion engine process over the real Redis (no Kafka), with the
# engine's own V8 flags (scripts/app-node-options.json); prints, asserts nothing.
bench-decide: build infra
	BENCH_REDIS_URL=$${BENCH_REDIS_URL:-redis://127.0.0.1:6379/$${E2E_REDIS_DB:-1}} node $$(node -p "require('./scripts/app-node-options.json')['promotion-engine']") dist/scripts/bench-decide.js

# Geofence engine vs Redis GEOSEARCH vs PostGIS (prints figures, ends with one JSON line). STORES=1000000 for the large run.
# Its own redis-server (BENCH_REDIS_PORT 6390) and a fresh private broker (BENCH_KAFKA_PORT 9192).
bench-geofence: build
	scripts/bench-geofence.sh

# Runs dist/scripts/$(2) against a private redis-server on BENCH_REDIS_PORT (default $(1)), stopped
# after it whatever its exit status, which is the recipe's.
with_private_redis = port=$${BENCH_REDIS_PORT:-$(1)}; redis-server --port $$port --bind 127.0.0.1 --save '' --appendonly no --logfile /dev/null --daemonize yes && \
	{ BENCH_REDIS_URL=redis://127.0.0.1:$$port/0 node dist/scripts/$(2); rc=$$?; redis-cli -p $$port shutdown nosave >/dev/null 2>&1; exit $$rc; }

# What kafkajs and ioredis cost per share with none of our logic (floors for issues 4, 5, 7): a
# private redis-server on BENCH_REDIS_PORT (6391) and a scratch topic on the broker; prints, ends with JSON.
bench-floor: build infra
	$(call with_private_redis,6391,bench-floor.js)

clean:
	rm -rf dist .run

# Republishes every store, offer and channel to the compacted catalog topics (rebuilds projections).
# Uses brand-api's environment; SECRETS_* come from .run/$(STACK)/stack.env when not set.
republish-catalog: build
	set -a; [ -f .run/$${STACK:-dev}/stack.env ] && . .run/$${STACK:-dev}/stack.env; set +a; \
	node dist/apps/brand-api/src/cli/republish-catalog.js

# The pipeline of make bench with none of the apps' logic (what the machine carries at best, issue 7):
# six bare node processes on the broker and a private redis-server on BENCH_REDIS_PORT (6393); steps of
# STEPS shares/s, STEP_SECONDS each; prints a table, ends with JSON.
bench-null-stack: build infra
	$(call with_private_redis,6393,bench-null-stack.js)

# Benchmark: stores/s through POST /v1/stores/bulk until the geofence's Redis index holds them.
# Its own stack (STACK=bench, BENCH_PORT_BASE 3100), broker (BENCH_KAFKA_PORT 9192, fresh), database
# (promotions_bench) and Redis database (8); all stopped at the end.
bench-catalog: build
	scripts/bench-catalog.sh

# The whole stack under load (issue 7): fixed-rate latency, then open-loop throughput; writes
# bench/results/latest.json. BRANDS, STORES_PER_BRAND, SHOPPERS, RATE, MAX_SECONDS tune it.
# Like bench-catalog, on a private, fresh broker (BENCH_KAFKA_PORT 9192), never the one of make up.
bench: build
	scripts/bench-e2e.sh

# The gateway's CPU per webhook against a bare node:http floor, on the stack of make bench (about
# 2 minutes). RATE, SECONDS, EVENTS (per webhook), WARMUP_SECONDS tune it; prints, ends with one JSON line.
bench-gateway: build
	scripts/bench-gateway.sh

# Faults under load (issue 7): SIGKILLs geofence, engine and delivery, restarts the broker, stops Redis
# for 10 s, then counts promotions at the simulator. Its own broker (CHAOS_KAFKA_PORT 9292), Redis
# (CHAOS_REDIS_PORT 6392), database (promotions_chaos) and stack (CHAOS_PORT_BASE 4600), all stopped
# at the end. SHARES, RATE, CHAOS_PLAN tune it (docs/operations.md). Writes bench/results/chaos.json.
chaos: build
	scripts/chaos.sh
