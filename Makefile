# Checkpoint Lane — build, test and run. Works on a fresh Debian 12 machine as root with the Swift toolchain.
#   make demo   install what is missing, build, run one lane on simulated devices (page: http://127.0.0.1:8080)
#   make test   install what is missing, build with the import check, run every test
#   make hwtest the virtual hardware lab: the binaries against real kernel drivers in a QEMU guest

SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
# Debian packages the build and the tests need, through pkg-config: SQLite (GRDB), libv4l2 (cameras), zlib
# (recordings) and libpng (snapshots); espeak-ng renders the spoken prompts, aplay (alsa-utils) plays them, sox
# checks them in the audio test; headless Chromium loads the lane page in the browser test; PostgreSQL is the
# provincial hub's database (the tests start a throwaway server of it, the packaged cluster is not used); openssl
# makes the TLS tests' certificates.
APT_PACKAGES := libsqlite3-dev pkg-config libv4l-dev zlib1g-dev libpng-dev libusb-1.0-0-dev umockdev \
	espeak-ng alsa-utils sox chromium fonts-dejavu-core postgresql postgresql-client openssl python3 curl
# An undeclared import between our targets fails the build (the architecture's rules are enforced, not hoped for).
BUILD_FLAGS := --explicit-target-dependency-import-check error
DEMO_CONFIG ?= examples/demo.toml

# The hardware lab's host side: QEMU (TCG), busybox for the guest, cpio/kmod/xz to build it, gcc for the emulators,
# mmdebstrap for the appliance guest (a Debian with systemd, from the machine's own package sources).
HWLAB_PACKAGES := qemu-system-x86 busybox-static cpio kmod xz-utils gcc libc6-dev python3 mmdebstrap

.PHONY: all deps build release test hwtest demo bench bench-check bench-accuracy accuracy-check eval-recordings fuzz clean help prompts deb deb-test

all: build

help:
	@sed -n '1,4p' Makefile

deps:
	@command -v $(SWIFT) >/dev/null 2>&1 || [ -x "$(SWIFT)" ] || { echo "error: the Swift toolchain (swift 6.x) is not installed; see README.md" >&2; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS)

release: deps
	$(SWIFT) build -c release $(BUILD_FLAGS)

# The hub's tests need a PostgreSQL server: with-postgres.sh starts one on a free loopback port and stops it after.
test: deps
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	Tests/postgres/with-postgres.sh run $(SWIFT) test --skip-build

# The Debian package: release binaries with the Swift runtime linked in (the box needs no toolchain), units, udev
# rules, prompts, example configuration and man pages, in .build/deb/. help2man writes the man pages.
DEB_VERSION ?= 0.1.0
deb: deps
	@dpkg-query -W -f='$${Status}' help2man 2>/dev/null | grep -q "ok installed" || { apt-get update && apt-get install -y --no-install-recommends help2man; }
	$(SWIFT) build -c release --static-swift-stdlib $(BUILD_FLAGS) --product checkpointd
	$(SWIFT) build -c release --static-swift-stdlib $(BUILD_FLAGS) --product checkpointctl
	packaging/build-deb .build/release .build/deb $(DEB_VERSION)

# Installs the package into a scratch root (dpkg --root, maintainer scripts run chrootless), checks files, users,
# units and the hardening score, then removes and purges it.
deb-test: deb
	@for p in systemd passwd; do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || { apt-get update && apt-get install -y --no-install-recommends $$p; }; done
	packaging/test-install .build/deb/checkpoint-lane_$(DEB_VERSION)_$$(dpkg --print-architecture).deb

# The spoken prompts (Vietnamese and English) rendered with espeak-ng into prompts/, and the two tones.
prompts: build
	$(SWIFT) run --skip-build checkpointctl speaker render --out prompts

demo: build prompts
	@echo "Lane page: http://127.0.0.1:8080/  (Ctrl-C stops the lane)"
	$(SWIFT) run --skip-build checkpointd --config $(DEMO_CONFIG)

# The engine's accuracy on ≥ 1,000 simulated travellers per condition (bias, errors, sensitivity, specificity).
bench-accuracy: deps
	mkdir -p bench/.lane && ln -sfn ../.. bench/.lane/checkpoint-lane
	cd bench && $(SWIFT) run -c release Accuracy $(ACCURACY_TRAVELLERS)

# The accuracy targets on 1,000 simulated travellers, in the release build the package uses (CI runs it after the
# tests): prints the report and exits 1 naming each missed target.
ACCURACY_CHECK_TRAVELLERS ?= 1000
accuracy-check: deps
	$(SWIFT) build -c release --static-swift-stdlib $(BUILD_FLAGS) --product checkpointctl
	.build/release/checkpointctl accuracy --travellers $(ACCURACY_CHECK_TRAVELLERS) --check

# The production engine over the labelled real recordings in ../shared/recordings (labels in
# Tests/Fixtures/recordings/labels.json): per recording people, readings, stray readings, disc, time to verdict and
# retries by reason, then the totals. Exits 1 when a recording does not go as labelled.
RECORDINGS ?= ../shared/recordings
eval-recordings: build
	$(SWIFT) run --skip-build checkpointctl recording evaluate --labels Tests/Fixtures/recordings/labels.json --recordings $(RECORDINGS)

# The virtual hardware lab: the real binaries against real kernel drivers in a QEMU guest (see hwlab/ and
# hardware-notes.md). One scenario: hwlab/run scanners
# The appliance guest also runs the province's hub: a release checkpoint-hub with the Swift runtime linked in.
hwtest: build deb
	$(SWIFT) build -c release --static-swift-stdlib $(BUILD_FLAGS) --product checkpoint-hub
	@missing=""; for p in $(HWLAB_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing \
			|| { echo "error: the hardware lab needs$$missing (apt-get install failed)" >&2; exit 1; }; \
	fi
	hwlab/run

clean:
	rm -rf .build .build-fuzz state

# libFuzzer over every parser of untrusted bytes (fuzz/*.swift): the parsers are built with the fuzzer and
# AddressSanitizer as one static library, then linked with each harness (a SwiftPM executable cannot take
# libFuzzer's main). FUZZ_RUNS inputs per harness, starting from the seeds in fuzz/corpus/<harness> (a valid
# recording, the example configurations); a crash stops with the input saved in .build-fuzz/.
FUZZ_RUNS ?= 1000000
FUZZERS := declaration eudcc cbor scanner cptv config
SWIFTC ?= $(dir $(SWIFT))swiftc
fuzz: deps
	$(SWIFT) build -c release -Xswiftc -sanitize=fuzzer,address --scratch-path .build-fuzz --product ParsersForFuzzing
	for h in $(FUZZERS); do \
		$(SWIFTC) -sanitize=fuzzer,address -parse-as-library -O -I .build-fuzz/release/Modules -I Sources/CZlib \
			fuzz/$$h.swift .build-fuzz/release/libParsersForFuzzing.a -lz -lstdc++ -o .build-fuzz/fuzz-$$h 2>/dev/null || exit 1; \
		echo "== fuzz $$h: $(FUZZ_RUNS) inputs"; \
		mkdir -p .build-fuzz/corpus-$$h; [ -d fuzz/corpus/$$h ] && cp fuzz/corpus/$$h/* .build-fuzz/corpus-$$h/; \
		.build-fuzz/fuzz-$$h -runs=$(FUZZ_RUNS) -max_len=4096 -artifact_prefix=.build-fuzz/crash-$$h- .build-fuzz/corpus-$$h >.build-fuzz/fuzz-$$h.log 2>&1; \
		status=$$?; grep -E "^Done" .build-fuzz/fuzz-$$h.log; \
		[ $$status -eq 0 ] || { tail -40 .build-fuzz/fuzz-$$h.log; exit 1; }; \
	done

# Speed and memory targets live here, not in unit tests. Builds in release in its own package (bench/).
# The tracing query runs over a generated province of TRACING_PASSAGES passages (22 million by default: about 16 min
# and 13 GB in PostgreSQL on 2 cores; TRACING_PASSAGES=1000000 make bench for a quick run).
bench: deps
	mkdir -p bench/.lane && ln -sfn ../.. bench/.lane/checkpoint-lane
	cd bench && ../Tests/postgres/with-postgres.sh run $(SWIFT) package --allow-writing-to-package-directory benchmark --no-progress

# The speed and memory targets, checked (exit 1 on a miss) on the benchmarks' smallest workloads: no tracing data,
# one run of each benchmark that has a target (bench/check-targets lists them with their reasons). CI runs it.
bench-check: deps
	mkdir -p bench/.lane && ln -sfn ../.. bench/.lane/checkpoint-lane
	Tests/postgres/with-postgres.sh run bench/check-targets .build-bench-check
