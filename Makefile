# exact-interp — see README.md. Every target installs what the system lacks first.
SWIFT   ?= swift
BIN     := .build/release/exact-interp
DEBUGBIN := .build/debug/exact-interp
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
OUT     ?= out
# Tests and tools never leave .pyc files in the source tree.
export PYTHONDONTWRITEBYTECODE := 1
# `make sanitize`: the ThreadSanitizer run covers the tests of the parallel evaluator.
TSAN_FILTER ?= ModelTests.CrossCheckTests|ConstructionTests.Theorem14Tests/sameDatasetGivesIdenticalFiles|VisualizationTests
SANITIZE_FILTER ?=

.PHONY: all deps python-deps build release test unit-test golden check-doc-transcripts check-lemmas check-python check-python-package check-imports consumer-test check-shards check-properties-cli properties figure1 demo bench leak-check fuzz sanitize clean

all: build

# libgmp-dev (and pkg-config, which the GMP module map uses) from Debian when missing.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists gmp; then \
	  echo "installing libgmp-dev and pkg-config with apt-get"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libgmp-dev pkg-config; \
	fi
	@command -v python3 >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product exact-interp

# The README's test command: unit and property tests, CLI golden files, lemma goldens,
# and the independent Python checker on every shipped model.
# Everything it writes goes under .build (the goldens' scratch folder is .build/test-scratch);
# check-test-writes fails if a file outside .build and .git changed while it ran (out/ included).
test: deps
	@mkdir -p .build && touch .build/test-started
	$(SWIFT) build
	EXACT_INTERP_PROPERTY_SAVE_DIR=$(CURDIR)/.build/test-scratch/property-regressions $(SWIFT) test
	$(MAKE) --no-print-directory golden check-lemmas check-doc-transcripts check-python check-python-package check-imports consumer-test check-shards check-properties-cli
	@tools/check-test-writes.sh .build/test-started

# CLI goldens (docs/testing.md#cli-goldens): stdout, stderr and exit code of every Tests/golden/**/*.cmd.
golden: build
	@tools/run-golden.sh $(DEBUGBIN) Tests/golden

# Transcripts of commands in docs/*.md marked `<!-- transcript: GOLDEN -->` equal their golden's
# standard output; an unmarked transcript of exact-interp output is an error (--strict).
check-doc-transcripts:
	@python3 tools/check-doc-transcripts.py --strict

# verify --shard k/K + merge-shards agree with a plain verify (valid, wrong and softmax models);
# missing, repeated and foreign shard reports are rejected.
check-shards: build
	@tools/check-shards.sh $(DEBUGBIN)

check-lemmas: build
	@tools/run-golden.sh $(DEBUGBIN) Datasets/lemmas
	@tools/lemmas-all.sh $(DEBUGBIN) Datasets
	@python3 tools/lemma-docs.py --check

# The independent Python checker (tools/verify_certificate.py) against `exact-interp verify` on every
# shipped model and on constructed ones; the hand-made models, the sentiment reviews and the
# trained-model fixtures (Tests/golden/trained) must be what their scripts build.
check-python: build
	python3 Datasets/models/build_handmade.py --check
	python3 Tests/golden/trained/make_fixtures.py --check
	python3 Datasets/sentiment/build_reviews.py --check
	EXACT_INTERP=$(DEBUGBIN) python3 tools/test_verify_certificate.py

# The construct-and-certify property through the CLI, with the independent Python checker, on a few
# validity-space datasets (docs/testing.md#properties; `make properties` runs many more).
PROPERTY_CLI_COUNT ?= 4
check-properties-cli: build
	@python3 tools/properties.py $(DEBUGBIN) --count $(PROPERTY_CLI_COUNT) --keep .build/test-scratch/properties-failures

# The properties at scale (docs/testing.md#properties): PROPERTY_COUNT datasets per hardmax layout
# (a seventh per softmax layout, half for labelled and causal data) in the Swift tests, then
# PROPERTY_CLI_SEEDS seeds (each: sets, labelled, causal) through the CLI and tools/verify_certificate.py. A fresh seed each run,
# printed: PROPERTY_SEED=… repeats a run. A failure is shrunk and saved in Tests/regressions/properties.
PROPERTY_COUNT ?= 2100
PROPERTY_CLI_SEEDS ?= 100
PROPERTY_SEED ?= $(shell date +%s)
properties: deps
	$(SWIFT) build --build-tests
	@mkdir -p $(OUT)
	@echo "make properties: seed $(PROPERTY_SEED), $(PROPERTY_COUNT) datasets per hardmax layout (PROPERTY_SEED=$(PROPERTY_SEED) repeats this run)"
	@start=$$(date +%s); \
	EXACT_INTERP_PROPERTY_COUNT=$(PROPERTY_COUNT) EXACT_INTERP_PROPERTY_SEED=$(PROPERTY_SEED) \
	  $(SWIFT) test --skip-build --filter 'PropertyTests\.PropertyTests' > $(OUT)/properties.log 2>&1; status=$$?; \
	grep -E '^(property |shrunk in|saved as)' $(OUT)/properties.log; \
	echo "Swift properties: exit $$status in $$(( $$(date +%s) - start )) s (the modes run in parallel; log: $(OUT)/properties.log)"; \
	start=$$(date +%s); python3 tools/properties.py $(DEBUGBIN) --count $(PROPERTY_CLI_SEEDS) --seed $(PROPERTY_SEED); pstatus=$$?; \
	echo "CLI + Python checker: exit $$pstatus in $$(( $$(date +%s) - start )) s"; \
	test $$status = 0 && test $$pstatus = 0

# Package.swift declares exactly the modules every target imports.
check-imports:
	@python3 tools/check-imports.py

# A package that depends on this one by file:// URL and version tag 1.0.0 (a clone of the working
# tree under .build/consumer-test) builds, computes with Rational and certifies figure 5: the library
# products carry no unsafe flags. The first run builds the library (about a minute), later runs only
# what changed.
consumer-test: deps
	@tools/consumer-test.sh

# NumPy, the official safetensors library and mpmath (50-digit references) for python/ (from PyPI, only when missing);
# torch only from a local CPU wheel when the machine carries one (never downloaded). torch is
# optional: its tests skip, saying so, when it is absent.
python-deps:
	@python3 -c "import numpy" 2>/dev/null || python3 -m pip install --quiet numpy || python3 -m pip install --quiet --break-system-packages numpy
	@python3 -c "import safetensors" 2>/dev/null || python3 -m pip install --quiet safetensors || python3 -m pip install --quiet --break-system-packages safetensors || echo "warning: safetensors not installed: its test will skip"
	@python3 -c "import mpmath" 2>/dev/null || python3 -m pip install --quiet mpmath || python3 -m pip install --quiet --break-system-packages mpmath || echo "warning: mpmath not installed: the rigorous-evaluation tests will skip"
	@python3 -c "import torch" 2>/dev/null || { wheel=$$(ls /opt/wheels/torch-*cpu*.whl /opt/*/torch-*cpu*.whl 2>/dev/null | head -1); \
	  if [ -n "$$wheel" ]; then echo "installing torch from the local CPU wheel $$wheel"; python3 -m pip install --quiet "$$wheel" || python3 -m pip install --quiet --break-system-packages "$$wheel" || echo "warning: torch not installed: its tests skip"; \
	  else echo "torch: no local CPU wheel (torch-*cpu*.whl under /opt): the nn.Module tests skip (torch is never downloaded)"; fi; }

# The Python package (python/): safetensors export read by the official library, the NumPy forward
# pass against `eval --arithmetic float64`, `bound` against the tensors' bits, training gradients.
check-python-package: build python-deps
	EXACT_INTERP=$(DEBUGBIN) python3 python/tests/run.py

# Section 2 / Example 2.2: Adam on L + εR against the bound εR(θ_gen); writes docs/figure1.svg and
# the figures in docs/figure1.json (a few minutes; numpy only).
figure1: python-deps
	cd python && python3 -m exact_interp.training --svg ../docs/figure1.svg --json ../docs/figure1.json

# The README's main command: construct and verify the bundled Figure-5-like dataset, then draw every
# stage and write the report.
demo: release
	@mkdir -p $(OUT)
	$(BIN) validate Datasets/figure5.json
	$(BIN) construct Datasets/figure5.json -o $(OUT)/figure5.model.json --layout narrow
	$(BIN) verify $(OUT)/figure5.model.json Datasets/figure5.json
	python3 tools/verify_certificate.py $(OUT)/figure5.model.json Datasets/figure5.json | tail -1
	$(BIN) draw $(OUT)/figure5.model.json Datasets/figure5.json -o $(OUT)/figure5.svg
	$(BIN) report $(OUT)/figure5.model.json Datasets/figure5.json -o $(OUT)/figure5.report.md --figure $(OUT)/figure5.svg
	@echo "picture of every stage: $(OUT)/figure5.svg (open it in a browser)"
	@echo "report: $(OUT)/figure5.report.md"

bench: deps
	$(SWIFT) build -c release --product exact-interp-bench
	@mkdir -p bench/results
	.build/release/exact-interp-bench --output bench/results/latest.json

# Valgrind leak check of the GMP paths (docs/testing.md): the bench binary's self-check, which
# checks every answer. Valgrind 3.19 cannot read Swift's DWARF 5, so it runs on a copy without
# debug info (symbols stay). Exit 9: a leak or memory error; 70: a wrong answer.
leak-check: build
	@command -v valgrind >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq valgrind; }
	strip --strip-debug -o .build/exact-interp-bench.nodebug .build/debug/exact-interp-bench
	valgrind --leak-check=full --errors-for-leak-kinds=definite --error-exitcode=9 \
	  .build/exact-interp-bench.nodebug --only gmp-self-check

# libFuzzer on the dataset reader, the model reader and the rational parser (docs/testing.md#fuzzing);
# FUZZ_SECONDS per target (default 60).
fuzz: deps
	tools/fuzz.sh

# The test suite under AddressSanitizer, then the parallel evaluator's tests under ThreadSanitizer
# (docs/testing.md#sanitizers). Not part of `make test`: together they take several minutes.
sanitize: deps
	$(SWIFT) build --build-path .build/asan --build-tests -Xswiftc -sanitize=address
	LSAN_OPTIONS=suppressions=$(CURDIR)/tools/lsan.supp $(SWIFT) test --build-path .build/asan --skip-build $(SANITIZE_FILTER)
	$(SWIFT) build --build-path .build/tsan --build-tests -Xswiftc -sanitize=thread
	$(SWIFT) test --build-path .build/tsan --skip-build --filter "$(TSAN_FILTER)"

clean:
	rm -rf .build $(OUT)
