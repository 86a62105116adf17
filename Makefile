# The two set-up commands: `make demo` and `make test`. Both install what is
# missing (libedit-dev) and build first.
SWIFT      ?= swift
BIN_DIR     = .build/release
FUNNEL      = $(BIN_DIR)/funnel
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps sql-engines html-tools build demo test test-spark sanitize sanitize-address sanitize-thread fuzz examples bench clean

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

# The SQL engines the SQL backends' tests run on (README "Running on a warehouse"), from PyPI into
# a virtualenv under the build folder: DuckDB's command line (duckdb-cli) and ClickHouse in process
# (chdb, run through scripts/chdb_local.py). Reruns are quick: installed packages are kept.
SQL_VENV    = .build/sql-venv
SQL_PKGS   ?= duckdb-cli chdb
sql-engines:
	@if [ ! -x $(SQL_VENV)/bin/python ]; then python3 -m venv $(SQL_VENV); fi
	@for p in $(SQL_PKGS); do \
	  case $$p in duckdb-cli) probe="test -x $(SQL_VENV)/bin/duckdb";; *) probe="$(SQL_VENV)/bin/python -c 'import $$p'";; esac; \
	  sh -c "$$probe" 2>/dev/null || { echo "==> installing $$p into $(SQL_VENV) (pip)"; $(SQL_VENV)/bin/pip install -q $$p || echo "warning: $$p could not be installed; its SQL tests are skipped"; }; \
	done

# What the HTML report's render tests need: Debian's Chromium (headless screenshots) and Pillow
# (reading them) in the same virtualenv. See README "Output formats".
html-tools:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "==> installing chromium (apt-get)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null || echo "warning: chromium could not be installed; the HTML render tests are skipped"; }
	@if [ ! -x $(SQL_VENV)/bin/python ]; then python3 -m venv $(SQL_VENV); fi
	@$(SQL_VENV)/bin/python -c 'import PIL' 2>/dev/null || { echo "==> installing pillow into $(SQL_VENV) (pip)"; \
	  $(SQL_VENV)/bin/pip install -q pillow || echo "warning: pillow could not be installed; the HTML render tests are skipped"; }

# Debug build of everything (the CLI tests run the built binary), then the tests.
test: deps sql-engines html-tools
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Spark SQL against the native engine on PySpark in local mode (Java 17): minutes, so apart
# from `make test`; CI runs it too. Installs pyspark into the same virtualenv.
test-spark: deps
	$(MAKE) sql-engines SQL_PKGS=pyspark
	$(SWIFT) build --build-tests
	FUNNEL_SPARK_TESTS=1 $(SWIFT) test --skip-build --filter SparkDifferentialTests

# The whole test suite under AddressSanitizer (the CLI tests run the sanitized binary through
# FUNNEL_BIN), then the tests that load or match on several threads under ThreadSanitizer.
# Separate build folders (.build-asan, .build-tsan); see README "Sanitizers" (why no UBSan).
ASAN_DIR    = .build-asan
TSAN_DIR    = .build-tsan
ASAN_FLAGS  = --sanitize=address
TSAN_FLAGS  = --sanitize=thread
# Under ASan, every test but RobustnessTests (random mutations of .funnel files and event bytes:
# a minute under ASan, and `make fuzz` runs far more such inputs under ASan; `make test` runs it),
# and the REPL's pseudo-terminal scenarios (timing-bound keystrokes; with the suite beside them
# under ASan their sessions sometimes did not end after Ctrl-D; `make test` runs them every time).
ASAN_SKIP  ?= \.RobustnessTests/|\.SQLDifferentialTests/|\.TerminalTests/replInAPseudoTerminal
# Under TSan, the tests where several threads touch the same data: the loader's workers on tiny
# chunks (LoaderChunkTests, LoaderLimitTests), the matcher and actor index split in parts over the
# examples' 1,000+ users and the shared Ctrl-C flag (SessionTests), and the races TSan found.
TSAN_TESTS ?= LoaderChunkTests|LoaderLimitTests|InternalErrorTests|SessionTests|SanitizerRegressionTests
SANITIZE_JOBS ?= 2

sanitize: sanitize-address sanitize-thread

sanitize-address: deps
	$(SWIFT) build --build-tests -j $(SANITIZE_JOBS) $(ASAN_FLAGS) --scratch-path $(ASAN_DIR)
	FUNNEL_BIN=$(CURDIR)/$(ASAN_DIR)/debug/funnel FUNNEL_SANITIZER=address ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=0} \
	  $(SWIFT) test --skip-build $(ASAN_FLAGS) --scratch-path $(ASAN_DIR) --skip '$(ASAN_SKIP)'

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
	rm -rf .build .build-asan .build-tsan .build-fuzz .build-fuzz-plain
