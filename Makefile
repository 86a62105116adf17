# The two set-up commands: `make demo` and `make test`. Both install what is
# missing (libedit-dev) and build first.
SWIFT      ?= swift
BIN_DIR     = .build/release
FUNNEL      = $(BIN_DIR)/funnel
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build demo test examples bench clean

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

# Regenerate the example data sets (deterministic).
examples:
	python3 scripts/gen_examples.py

bench: build
	bash scripts/bench.sh

clean:
	rm -rf .build
