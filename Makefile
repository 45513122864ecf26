# portus — build, test and set-up.
#   make              build ./portus (installs missing build packages first: gcc,
#                     make and debian/control's Build-Depends, nothing a test needs)
#   make check        unit tests + sanitizer unit tests + lab integration tests (root)
#   make unit         unit tests only (T=test_options: one binary; F='*stdout*':
#                     only the cases whose name matches, cmocka's test filter)
#   make format-check files that differ from .clang-format (FORMAT_FILES=... to narrow)
#   make SANITIZER=address,undefined check-unit   sanitizer build of the unit tests
#   make scan         build a lab network in namespaces, scan it, tear it down
#   make install      binary, man page, completions, schemas, docs (mk/install.mk: PREFIX, DESTDIR, SETCAP=1)

CC        ?= cc
SANITIZER ?=
comma     := ,
BUILD     := build$(if $(SANITIZER),-$(subst $(comma),-,$(SANITIZER)))

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wimplicit-fallthrough -Wvla -Wpointer-arith -Wcast-qual
HARDEN  := -fstack-protector-strong
CPPFLAGS += -Iinclude -Isrc -I$(BUILD)/gen -D_GNU_SOURCE -MMD -MP
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 $(WARN) $(HARDEN) -pthread
LDFLAGS += -pthread -Wl,-z,relro -Wl,-z,now
LDLIBS  := -lpcap -ldumbnet -lcurl -lssl -lcrypto -lcares -lm

ifneq ($(SANITIZER),)
CFLAGS  += -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZER)
else
CPPFLAGS += -D_FORTIFY_SOURCE=2
endif

SRCS     := $(wildcard src/*.c src/*/*.c)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/gen/embedded_data.o
TESTS    := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

# Debian packages, one stamp per group of tools/deps.sh (build/.deps/GROUP):
# compiling needs only "build"; each test target adds what its tests run.
# NO_DEPS=1: neither check nor install any (a package build: its
# Build-Depends did that).
DEPS_DIR    := build/.deps
DEPS_GROUPS := build unit fuzz lab integration bench lint format
deps_for     = $(if $(filter 1,$(NO_DEPS)),,$(patsubst %,$(DEPS_DIR)/%,$(1)))

.PHONY: all deps unit check check-unit integration integration-sanitized scan clean format-check fuzz fuzz-smoke lint bench
all: portus

deps: $(call deps_for,$(DEPS_GROUPS))
$(DEPS_DIR)/%: tools/deps.sh debian/control
	@sh tools/deps.sh $*
	@mkdir -p $(@D) && touch $@

portus: $(BUILD)/portus
	@if [ "$(BUILD)" = build ]; then ln -sf $(BUILD)/portus portus; fi

$(BUILD)/portus: $(BUILD)/src/main.o $(BUILD)/libportus.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libportus.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c | $(call deps_for,build)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Data files in data/ are compiled into the binary so it works from any directory.
# EMBED: C name, file, ... (tools/embed.sh); the built-in --tls-policy profiles too.
EMBED := portus_default_exclude data/exclude.conf portus_top_ports data/top-ports.txt \
	 portus_policy_modern data/policies/modern.policy \
	 portus_policy_intermediate data/policies/intermediate.policy \
	 portus_policy_old data/policies/old.policy
EMBED_FILES := $(filter data/%,$(EMBED))
$(BUILD)/gen/embedded_data.c: $(EMBED_FILES) tools/embed.sh
	@mkdir -p $(@D)
	sh tools/embed.sh $(EMBED) > $@

$(BUILD)/gen/embedded_data.o: $(BUILD)/gen/embedded_data.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Each test binary also gets tests/unit/cmocka_filter.c (CMOCKA_TEST_FILTER).
UNIT_FILTER := $(BUILD)/tests/cmocka_filter.o
$(UNIT_FILTER): tests/unit/cmocka_filter.c | $(call deps_for,build unit)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libportus.a $(UNIT_FILTER) | $(call deps_for,build unit)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Itests/unit -o $@ $< $(UNIT_FILTER) $(BUILD)/libportus.a $(LDFLAGS) \
		-Wl,--wrap=_cmocka_run_group_tests $(LDLIBS) -lcmocka

# T=test_x[,test_y]: only those binaries; F=PATTERN: only the test cases whose
# name matches (cmocka's filter, * and ? wildcards), e.g.
#   make unit T=test_options F='*afresh*'
UNIT_RUN := $(if $(T),$(patsubst %,$(BUILD)/tests/%,$(subst $(comma), ,$(T))),$(TESTS))
unit: $(UNIT_RUN)
	@CMOCKA_TEST_FILTER='$(F)' sh tools/run-unit.sh $(UNIT_RUN)

check-unit: unit

integration: portus | $(call deps_for,integration)
	@sh tests/integration/run-all.sh

# The whole binary under the sanitizers, on the lab tests that drive the most
# code: a memory error, undefined behaviour or a data race makes portus exit
# non-zero (ASan aborts, TSan exits 66), which fails the test.
SAN_ASAN_TESTS := test_lab_scan test_forged test_tls_hostile test_tls_ciphers test_hec test_syslog test_interrupt
SAN_TSAN_TESTS := test_lab_scan test_tls test_hec
integration-sanitized: | $(call deps_for,integration)
	@$(MAKE) --no-print-directory SANITIZER=address,undefined build-address-undefined/portus
	@$(MAKE) --no-print-directory SANITIZER=thread build-thread/portus
	@echo "integration (ASan+UBSan binary):"
	@PORTUS=$(CURDIR)/build-address-undefined/portus sh tests/integration/run-all.sh $(SAN_ASAN_TESTS)
	@echo "integration (TSan binary):"
	@PORTUS=$(CURDIR)/build-thread/portus sh tests/integration/run-all.sh $(SAN_TSAN_TESTS)

check: portus
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory SANITIZER=address,undefined unit
	@$(MAKE) --no-print-directory SANITIZER=thread unit
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory integration-sanitized
	@$(MAKE) --no-print-directory integration

# libFuzzer harnesses (tests/fuzz/), built with clang: the library is compiled
# with coverage instrumentation so the fuzzer sees inside it.
FUZZ_BUILD := build-fuzz
FUZZ_CFLAGS := -g -O1 -std=c11 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FUZZ_BUILD)/%.o) $(FUZZ_BUILD)/gen/embedded_data.o
# Named only by the pattern rule below, make would delete them as intermediates
# after each build, and rebuild the whole library for the next harness.
.SECONDARY: $(FUZZ_LIB_OBJS)
FUZZERS := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_TIME ?= 60

$(FUZZ_BUILD)/%.o: %.c | $(call deps_for,build fuzz)
	@mkdir -p $(@D)
	clang -Iinclude -Isrc -D_GNU_SOURCE $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/gen/embedded_data.o: $(FUZZ_BUILD)/gen/embedded_data.c
	clang $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/gen/embedded_data.c: $(EMBED_FILES) tools/embed.sh
	@mkdir -p $(@D)
	sh tools/embed.sh $(EMBED) > $@

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJS)
	clang -Iinclude -Isrc -D_GNU_SOURCE $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB_OBJS) -lpcap -ldumbnet -lcurl -lssl -lcrypto -lcares -lpthread

# Each harness for FUZZ_TIME seconds; crashes land in tests/artifacts/fuzz/.
fuzz: $(FUZZERS)
	@mkdir -p tests/artifacts/fuzz
	@for f in $(FUZZERS); do \
		n=$$(basename $$f); mkdir -p tests/artifacts/fuzz/$$n-corpus; \
		echo "fuzz: $$n for $(FUZZ_TIME) s"; \
		$$f -max_total_time=$(FUZZ_TIME) -artifact_prefix=tests/artifacts/fuzz/$$n- \
			tests/artifacts/fuzz/$$n-corpus $$(ls -d tests/fuzz/regress/$$n 2>/dev/null) \
			2>tests/artifacts/fuzz/$$n.log || { tail -30 tests/artifacts/fuzz/$$n.log; exit 1; }; \
	done; echo "fuzz: all harnesses ran $(FUZZ_TIME) s without a crash"

# The short run make check does.
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_TIME=10

scan: portus | $(call deps_for,lab)
	@sh tests/lab/demo.sh $(ARGS)

# The quick benchmarks (no peers; root for the blackhole namespaces): receive
# path replay, send path beside the bare sendmmsg loop, full-IPv4 plan memory.
# The peer comparisons are bench/compare.sh and bench/send_path.sh (bench/README.md).
bench: portus | $(call deps_for,bench)
	@sh bench/replay.sh --no-callgrind
	@bash bench/send_path.sh --tools "tx_ceiling portus" --runs 3
	@bash bench/scale.sh --memory-only

# Static analysis, clean on src/: cppcheck's warnings and clang-tidy's
# analyzer + bugprone checks (minus style-only ones listed with reasons in
# .clang-tidy).
lint: $(BUILD)/gen/embedded_data.c | $(call deps_for,lint)
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance --std=c11 \
		--inline-suppr -D_GNU_SOURCE -Iinclude -Isrc --suppress=missingIncludeSystem src/
	clang-tidy --quiet --warnings-as-errors='*' $(SRCS) -- -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -I$(BUILD)/gen

# The C files and headers against .clang-format: names each file that differs
# (clang-format -i FILE fixes it; nothing is rewritten here) and fails. The
# files written before the style file existed and not yet formatted are
# listed in tools/format-pending.txt and skipped (said so); every other file,
# every new one included, is checked. FORMAT_FILES=... checks those instead.
FORMAT_PENDING := $(shell grep -v '^\#' tools/format-pending.txt 2>/dev/null)
FORMAT_FILES   ?= $(filter-out $(FORMAT_PENDING),$(sort $(wildcard src/*.[ch] src/*/*.[ch] \
		    include/*.h tests/unit/*.[ch] tests/fuzz/*.[ch] bench/*.c)))
format-check: | $(call deps_for,format)
	@n=0; for f in $(FORMAT_FILES); do \
		clang-format --dry-run -Werror "$$f" >/dev/null 2>&1 || { echo "format-check: $$f differs"; n=$$((n + 1)); }; \
	done; \
	echo "format-check: $$n of $(words $(FORMAT_FILES)) files differ from .clang-format ($(words $(FORMAT_PENDING)) not yet formatted, skipped: tools/format-pending.txt)"; \
	[ $$n = 0 ]

clean:
	rm -rf build build-* portus

include mk/install.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
