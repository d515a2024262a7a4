# The two commands a new user needs: `make run` and `make test`. `make bench` measures speed.
SHELL := /bin/bash
PORT ?= 8080
export PORT

.PHONY: run test bench bench-compare lint soak build deps unit e2e clean

## run: install what is missing, build (release), migrate, seed the demo, serve through nginx
run: deps
	swift build -c release --product wheelhouse
	SSO="$(SSO)" scripts/run.sh

## test: every test — domain and web (swift test), then end to end (nginx + Chromium)
test:
	scripts/install-deps.sh test
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) e2e

unit:
	swift build --build-tests
	swift test --skip-build --disable-xctest

e2e:
	swift build -c release --product wheelhouse
	scripts/e2e.sh

## bench: nginx static file vs a C FastCGI reference vs the rendered General page
bench:
	scripts/install-deps.sh bench
	swift build -c release --product wheelhouse
	bench/run.sh

## lint: the Swift code as swift-format prints it (.swift-format); `swift format -i -r Sources Tests` fixes it
lint:
	swift format lint --strict --recursive --parallel Package.swift Sources Tests

## bench-compare: this build against BASE's (make bench-compare BASE=<commit>), interleaved, one invocation
bench-compare:
	scripts/install-deps.sh bench
	swift build -c release --product wheelhouse
	bench/compare.sh

## soak: `make run` under wrk for SOAK_MINUTES (4), p99 and RSS per minute; halves within 20 %
soak:
	scripts/install-deps.sh bench
	swift build -c release --product wheelhouse
	bench/soak.sh

deps:
	scripts/install-deps.sh run

clean:
	rm -rf .build .build-* data
