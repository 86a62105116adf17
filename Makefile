# The two set-up commands: `make demo` and `make test`. Both install what is
# missing (libedit-dev) and build first.
SWIFT      ?= swift
BIN_DIR     = .build/release
FUNNEL      = $(BIN_DIR)/funnel
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build demo test sanitize sanitize-address sanitize-thread fuzz examples bench clean

all: build

# libedit-dev provides histedit.h and libedit.pc for the CLibEdit target.
deps:
	@if ! pkg-config --exists libedit 2>/dev/null || [ ! -f /usr/include/histedit.h ]; then \
	  echo "==> installing libedit-dev (apt-get)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq libedit-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build -c release --product funnel

demo: build
	$(FUNNEL) run examples/ecommerce.funnel

# Debug build of everything (the CLI tests run the built binary), then the tests.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer (the CLI tests run the
# sanitized binary through FUNNEL_BIN), then the tests that load or match on several threads
# under ThreadSanitizer. Separate build folders (.build-asan, .build-tsan); see README "Sanitizers".
ASAN_DIR    = .build-asan
TSAN_DIR    = .build-tsan
ASAN_FLAGS  = --sanitize=address --sanitize=undefined
TSAN_FLAGS  = --sanitize=thread
# Tests that run the loader with several workers (tiny chunks) or the matcher over more than
# 1,024 users (the examples), so more than one thread touches the data.
TSAN_TESTS ?= LoaderChunkTests|LoaderLimitTests|RobustnessTests|PipelinePropertyTests|SessionTests
SANITIZE_JOBS ?= 2

sanitize: sanitize-address sanitize-thread

sanitize-address: deps
	$(SWIFT) build --build-tests -j $(SANITIZE_JOBS) $(ASAN_FLAGS) --scratch-path $(ASAN_DIR)
	FUNNEL_BIN=$(CURDIR)/$(ASAN_DIR)/debug/funnel ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=0} \
	  UBSAN_OPTIONS=$${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
	  $(SWIFT) test --skip-build $(ASAN_FLAGS) --scratch-path $(ASAN_DIR)

sanitize-thread: deps
	$(SWIFT) build --build-tests -j $(SANITIZE_JOBS) $(TSAN_FLAGS) --scratch-path $(TSAN_DIR)
	TSAN_OPTIONS=$${TSAN_OPTIONS:-halt_on_error=1} \
	  $(SWIFT) test --skip-build $(TSAN_FLAGS) --scratch-path $(TSAN_DIR) --filter '$(TSAN_TESTS)'

# libFuzzer targets (Fuzz/), each run FUZZ_SECONDS on a copy of Fuzz/Corpus; see README "Fuzzing".
FUZZ_SECONDS ?= 60
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/fuzz.sh $(FUZZ_TARGETS)

# Regenerate the example data sets (deterministic).
examples:
	python3 scripts/gen_examples.py

bench: build
	bash scripts/bench.sh

clean:
	rm -rf .build .build-asan .build-tsan .build-fuzz
