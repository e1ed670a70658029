# reco — the two commands a newcomer needs are `make run` and `make test`.
GO      ?= go
BIN     := bin/reco
# Fuzz budgets are iteration counts, not durations: with a duration, Go
# 1.26's fuzz coordinator can fail a clean run with "context deadline
# exceeded" at the deadline (go.dev/issue/75804, fixed in Go 1.27): CI
# failed so, with no input written, after 13 s without an execution (most
# likely minimizing a new input; minimization is bounded by FUZZMINIMIZE).
# Counts carry no deadline, so only a real finding fails the run.
FUZZTIME ?= 20000x
FUZZMINIMIZE ?= 1000x
# apt-get needs root; elsewhere use sudo when it is there.
SUDO    := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null && [ "$$(id -u)" != 0 ] && echo sudo)

.PHONY: build run test deps vet fuzz bench bench-deps soak clean

build:
	$(GO) build -o $(BIN) ./cmd/reco

## run: build and start the engine with the embedded broker and the demo shop.
run: build
	./$(BIN) serve --demo

## test: formatting, vet, and the whole suite with the race detector.
test: deps vet
	$(GO) test -race -count=1 ./...

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## deps: tools the tests need that Go does not bring: kcat (librdkafka), a
## Kafka client nobody here wrote, for the integration tests.
deps:
	@command -v kcat >/dev/null 2>&1 || { \
		echo "installing kcat (Debian package)"; \
		$(SUDO) apt-get install -y -qq kcat >/dev/null 2>&1 || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq kcat; }; }
	@command -v kcat >/dev/null 2>&1 || { echo "kcat is required by the integration tests and could not be installed"; exit 1; }

## fuzz: run every fuzz target for FUZZTIME executions each.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$f ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) $$pkg || exit 1; \
		done; \
	done

## bench: the whole suite (Go benchmarks, MovieLens, baskets, serving with
## wrk, freshness idle and under load, ingest, memory at scale); writes
## docs/benchmarks.md. About 8 minutes here.
bench: build bench-deps
	bash .ci/bench

## bench-deps: wrk (Debian package), the HTTP load generator of make bench.
bench-deps:
	@command -v wrk >/dev/null 2>&1 || { \
		echo "installing wrk (Debian package)"; \
		$(SUDO) apt-get install -y -qq wrk >/dev/null 2>&1 || \
		{ $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }; }
	@command -v wrk >/dev/null 2>&1 || { echo "wrk is required by make bench and could not be installed"; exit 1; }

## soak: a bounded soak (3 minutes, loopback): ingest + serving + snapshots
## + a restart half way; prints RSS over time and checks the counts.
soak: build
	./$(BIN) loadgen --mode soak --duration 3m

clean:
	rm -rf bin
