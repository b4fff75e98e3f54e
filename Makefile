# lika — plain Makefile; explicit source lists, pkg-config for libraries.
#
#   make            bin/likad and bin/lika
#   make test       unit and system tests (make test SAN=1: under ASan+UBSan)
#   make bench      benchmarks, figures printed as ratios against plain SQLite
#   make bench-province  a province hub catching up its counties (not in make test)
#   make bench-ingest  the hub's ingest against plain SQLite, 3 runs: min / median / max
#   make bench-peers  lika's hub ingest beside PouchDB (installed from npm into build/peers)
#   make demo       a county hub and three townships on this machine
#   make valgrind   the unit tests, and six system tests with likad, under valgrind
#   make deps       install the Debian packages (as root), else print the command
#   V=1             print every compiler command
#   make spec       rewrite the generated state-table block of proto/STORAGE.md
#   make fuzz       run every fuzz harness (libFuzzer, clang) for FUZZ_SECONDS each
#   make torture    the torture scenario: TORTURE_KILLS SIGKILLs, TORTURE_CUTS link cuts

CC      ?= cc
PKGS     = sqlite3 libzmq libsodium msgpack inih libpq libmicrohttpd
TESTPKGS = cmocka
DEB_PKGS = build-essential pkg-config libsqlite3-dev libzmq3-dev libsodium-dev \
           libmsgpack-dev libinih-dev libcmocka-dev sqlite3 python3 \
           libpq-dev postgresql libmicrohttpd-dev \
           chromium chromium-driver python3-selenium

# fonts-noto-cjk: the documents' tests print them in chromium headless (A4 page
# counts, nothing running over) with the Chinese font offices' machines have
DEB_PKGS += fonts-noto-cjk

CFLAGS  ?= -O2 -g
# quiet by default: one line a file ("  CC lib/core/ledger.c"); make V=1 prints the commands
ifeq ($(V),1)
Q =
say = @:
else
Q = @
say = @printf '  %-5s %s\n'
endif
WARN     = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
# lib/core (change sets, ledger, wire, nodes) never includes lib/domain (the
# plan's records and rules): core objects are compiled without the domain path.
BASE_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Ilib/core \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(BASE_CFLAGS) -Ilib/domain
LDLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread

# (sanitizer flags go into BASE_CFLAGS, so lib/core is instrumented too)
ifeq ($(SAN),1)
BASE_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS    += -fsanitize=address,undefined
BUILD      = build/san
BIN        = build/san/bin
else ifeq ($(FUZZ),1)
CC          = clang
WARN       += -Wno-unknown-warning-option
BASE_CFLAGS += -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer \
               -fno-sanitize-recover=undefined
LDFLAGS    += -fsanitize=address,undefined
BUILD      = build/fuzz
BIN        = build/fuzz/bin
else
BUILD      = build/rel
BIN        = bin
endif

CORE_SRC = lib/core/log.c lib/core/util.c lib/core/codes.c lib/core/config.c lib/core/codec.c \
          lib/core/schema.c lib/core/csv.c lib/core/ledger.c lib/core/node.c lib/core/status.c \
          lib/core/keyfile.c lib/core/outfile.c \
          lib/core/wire.c lib/core/peer.c
DOMAIN_SRC = lib/domain/dates.c lib/domain/money.c lib/domain/idcard.c lib/domain/household.c \
             lib/domain/fields.c lib/domain/procedure.c lib/domain/statement.c lib/domain/rules.c \
             lib/domain/rank.c lib/domain/measure.c lib/domain/village.c lib/domain/labels.c
LIB_SRC = $(CORE_SRC) $(DOMAIN_SRC)
TOOL_SRC = tools/lika.c tools/cmd_node.c tools/cmd_village.c tools/cmd_ledger.c \
           tools/cmd_status.c tools/cmd_quarantine.c tools/cmd_hold.c tools/cmd_duplicates.c tools/cmd_roster.c \
           tools/cmd_household.c tools/cmd_import.c tools/cmd_docs.c tools/doc.c tools/cmd_notice.c \
           tools/proc.c tools/passphrase.c tools/cmd_official.c tools/cmd_review.c tools/cmd_assist.c tools/cmd_report.c tools/cmd_check.c \
           tools/web.c tools/web_user.c tools/web_session.c tools/web_api.c \
           tools/web_dash.c
# the web console's pages (HTML, CSS, JavaScript modules), embedded in lika
WEB_ASSETS = tools/web/index.html tools/web/app.js tools/web/style.css
DAEMON_SRC = daemon/likad.c daemon/loop.c daemon/sync.c daemon/hub.c daemon/township.c daemon/control.c daemon/duplicates.c daemon/monitor.c daemon/sink.c daemon/sigcheck.c daemon/walsync.c daemon/checkpoint.c daemon/worker.c daemon/client.c daemon/upstream.c daemon/province.c
UNIT_SRC = tests/unit/test_codec.c tests/unit/test_codes.c tests/unit/test_ledger.c \
           tests/unit/test_wire.c tests/unit/test_idcard.c tests/unit/test_household.c \
           tests/unit/test_csv.c tests/unit/test_household_feed.c tests/unit/test_peer.c \
           tests/unit/test_procedure.c tests/unit/test_statement.c tests/unit/test_fields.c \
           tests/unit/test_rank.c tests/unit/test_outfile.c tests/unit/test_labels.c \
           tests/unit/test_config.c tests/unit/test_worker.c
BENCH_SRC = tests/bench/bench_ledger.c tests/bench/bench_sync.c tests/bench/bench_fields.c
# tools the system tests call ($LIKA_UNIT/NAME); never installed.  test_tool.c
# builds as test-tool: run.sh takes every test_* in $LIKA_UNIT for a unit test.
TESTTOOL_SRC = tests/tools/forge_step.c tests/tools/schema_doc.c tests/tools/test_tool.c
# fuzz harnesses (tests/fuzz/fuzz_NAME.c): make test replays each corpus
# (tests/fuzz/corpus/NAME, with every crash file ever found) through it as
# unit test test_fuzz_NAME; make fuzz runs them under libFuzzer
FUZZ_NAMES = changeset wire csv idcard statement
FUZZ_SECONDS ?= 60
FUZZREPLAY_BIN = $(FUZZ_NAMES:%=$(BUILD)/tests/test_fuzz_%)
# test tools that link lib/core only: they write what the rules would refuse
CORETOOL_SRC = tests/tools/forge.c

LIB_OBJ    = $(LIB_SRC:%.c=$(BUILD)/%.o)
TOOL_OBJ   = $(TOOL_SRC:%.c=$(BUILD)/%.o)
DAEMON_OBJ = $(DAEMON_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_BIN  = $(BENCH_SRC:tests/bench/%.c=$(BUILD)/tests/%)
TESTTOOL_BIN = $(subst test_tool,test-tool,$(TESTTOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%))
CORETOOL_BIN = $(CORETOOL_SRC:tests/tools/%.c=$(BUILD)/tests/%)
CORE_OBJ   = $(CORE_SRC:%.c=$(BUILD)/%.o)

.PHONY: all test bench bench-ingest bench-peers bench-province demo deps clean check-deps valgrind spec fuzz torture
all: check-deps $(BIN)/lika $(BIN)/likad

check-deps:
	@pkg-config --exists $(PKGS) $(TESTPKGS) 2>/dev/null || $(MAKE) --no-print-directory deps

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing$$missing"; \
	  (apt-get -o DPkg::Lock::Timeout=600 update -qq || true) && DEBIAN_FRONTEND=noninteractive \
	      apt-get -o DPkg::Lock::Timeout=600 install -y -qq $$missing; \
	else \
	  echo "deps: missing$$missing; run as root:"; \
	  echo "  apt-get install -y$$missing"; exit 1; \
	fi

HEADERS = $(wildcard lib/core/*.h lib/domain/*.h daemon/*.h tools/*.h)
$(BUILD)/lib/core/%.o: lib/core/%.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(BASE_CFLAGS) -c -o $@ $<

$(BUILD)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/liblika.a: $(LIB_OBJ)
	@rm -f $@
	$(say) AR $@
	$(Q)ar rcs $@ $^

$(BUILD)/libcore.a: $(CORE_OBJ)
	@rm -f $@
	$(say) AR $@
	$(Q)ar rcs $@ $^

$(BUILD)/tools/web_assets.c: $(WEB_ASSETS) tools/web/embed.sh
	@mkdir -p $(dir $@)
	$(say) GEN $@
	$(Q)sh tools/web/embed.sh $@ $(WEB_ASSETS)

$(BUILD)/tools/web_assets.o: $(BUILD)/tools/web_assets.c tools/web.h
	$(say) CC $<
	$(Q)$(CC) $(ALL_CFLAGS) -Itools -c -o $@ $<

$(BIN)/lika: $(TOOL_OBJ) $(BUILD)/tools/web_assets.o $(BUILD)/liblika.a
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/likad: $(DAEMON_OBJ) $(BUILD)/liblika.a
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/liblika.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(BUILD)/liblika.a $(LDLIBS) \
	    $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

# likad's worker threads: the one unit test of a daemon/ file
$(BUILD)/tests/test_worker: tests/unit/test_worker.c $(BUILD)/daemon/worker.o $(BUILD)/liblika.a
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/unit -Idaemon $(LDFLAGS) -o $@ $< $(BUILD)/daemon/worker.o \
	    $(BUILD)/liblika.a $(LDLIBS) $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

$(CORETOOL_BIN): $(BUILD)/tests/%: tests/tools/%.c $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(BASE_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcore.a $(LDLIBS)

$(BUILD)/tests/%: tests/tools/%.c $(BUILD)/liblika.a
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/liblika.a $(LDLIBS)

$(BUILD)/tests/test-tool: tests/tools/test_tool.c $(BUILD)/liblika.a
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/liblika.a $(LDLIBS)

$(BUILD)/tests/bench_%: tests/bench/bench_%.c $(BUILD)/liblika.a
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/liblika.a $(LDLIBS)

$(BUILD)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(BUILD)/liblika.a
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/fuzz -DFUZZ_CORPUS='"$(abspath tests/fuzz/corpus/$*)"' $(LDFLAGS) \
	    -o $@ $< tests/fuzz/replay.c $(BUILD)/liblika.a $(LDLIBS)

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(BUILD)/liblika.a
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) $(ALL_CFLAGS) -Itests/fuzz -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(BUILD)/liblika.a $(LDLIBS)

# libFuzzer: new inputs go to build/fuzz/corpus/NAME, crashes to build/fuzz/crash-NAME-*;
# copy a crash file into tests/fuzz/corpus/NAME once fixed, and make test replays it
fuzz:
	@command -v clang >/dev/null || $(MAKE) --no-print-directory deps DEB_PKGS="clang"
	@$(MAKE) --no-print-directory FUZZ=1 $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
	@for n in $(FUZZ_NAMES); do mkdir -p build/fuzz/corpus/$$n; \
	  echo "fuzz $$n: $(FUZZ_SECONDS) s"; \
	  build/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	      -artifact_prefix=build/fuzz/crash-$$n- build/fuzz/corpus/$$n tests/fuzz/corpus/$$n \
	      > build/fuzz/$$n.log 2>&1; rc=$$?; \
	  grep -E "DONE|stat::number_of_executed_units|stat::peak_rss|SUMMARY" build/fuzz/$$n.log \
	      | tail -4; \
	  [ $$rc = 0 ] || { echo "fuzz $$n: crash (build/fuzz/$$n.log, build/fuzz/crash-$$n-*)"; exit 1; }; \
	done

# an LD_PRELOAD a system test puts under likad (never instrumented: it only waits)
$(BUILD)/tests/stall_sync.so: tests/tools/stall_sync.c
	@mkdir -p $(dir $@)
	$(say) LINK $@
	$(Q)$(CC) -std=c11 $(WARN) -O2 -fPIC -shared -o $@ $< -ldl

test: all $(UNIT_BIN) $(TESTTOOL_BIN) $(CORETOOL_BIN) $(FUZZREPLAY_BIN) $(BUILD)/tests/stall_sync.so
	@LIKA_BIN=$(abspath $(BIN)) LIKA_UNIT=$(abspath $(BUILD)/tests) SAN=$(SAN) \
	    sh tests/run.sh $(TESTFLAGS)

bench: all $(BENCH_BIN) $(TESTTOOL_BIN)
	@for b in $(BENCH_BIN); do LIKAD=$(abspath $(BIN))/likad $$b || exit 1; done
	@LIKA_BIN=$(abspath $(BIN)) sh tests/bench/bench_sheets.sh
	@LIKA_BIN=$(abspath $(BIN)) sh tests/bench/bench_import.sh
	@LIKA_BIN=$(abspath $(BIN)) sh tests/bench/bench_sink.sh
	@LIKA_BIN=$(abspath $(BIN)) sh tests/bench/bench_procedure.sh
	@LIKA_BIN=$(abspath $(BIN)) sh tests/bench/bench_web.sh
	@LIKA_BIN=$(abspath $(BIN)) LIKA_UNIT=$(abspath $(BUILD)/tests) sh tests/bench/bench_status.sh

# the hub's 10,000 x 10-op ingest against plain SQLite, BENCH_RUNS times (default 3):
# every run's ratio and the min / median / max
BENCH_RUNS ?= 3
bench-ingest: all $(BUILD)/tests/bench_sync
	@sh tests/bench/bench_ingest.sh $(abspath $(BUILD)/tests/bench_sync) $(abspath $(BIN))/likad \
	    $(BENCH_RUNS)

# lika's hub ingest beside PouchDB replicating the same records (npm install into build/peers)
bench-peers: all $(BUILD)/tests/bench_sync
	@sh tests/bench/bench_peers.sh $(abspath $(BUILD)/tests/bench_sync) $(abspath $(BIN))/likad \
	    $(abspath build/peers)

# a province hub and its sink catching up scaled-down counties (README.md, "Province");
# BENCH_PROVINCE="COUNTIES TOWNSHIPS HOUSEHOLDS CHANGESETS" (default 3 3 1000 1000)
bench-province: all $(BUILD)/tests/test-tool
	@LIKA_BIN=$(abspath $(BIN)) LIKA_UNIT=$(abspath $(BUILD)/tests) \
	    sh tests/bench/bench_province.sh $(BENCH_PROVINCE)

# the unit tests, then system tests with likad under valgrind (memcheck, leaks
# are errors): the hub and townships, the signature, log-sync and duplicate
# threads, the PostgreSQL sink
VALGRIND_SYSTEM ?= t0306-county-feed-reaches-townships t0329-hold-lifted-while-ledger-busy \
	t0340-bad-signature-mid-batch t0344-ack-after-log-synced t0440-duplicates-across-townships \
	t0800-sink-postgres
valgrind: all $(UNIT_BIN) $(TESTTOOL_BIN) $(BUILD)/tests/stall_sync.so
	@for t in $(UNIT_BIN); do echo "valgrind $$t"; \
	  TEST_WORKER_STARTS=500 valgrind -q --leak-check=full --error-exitcode=9 $$t >/dev/null || exit 1; done
	@LIKA_BIN=$(abspath $(BIN)) LIKA_UNIT=$(abspath $(BUILD)/tests) sh tests/valgrind.sh $(VALGRIND_SYSTEM)

demo: all
	@sh tests/demo.sh

# tests/torture/torture.sh in a fresh directory, kept (and named) if it fails;
# not part of make test (t0330-torture-small runs a small one there)
TORTURE_KILLS ?= 100
TORTURE_CUTS  ?= 20
torture: all
	@d=$$(mktemp -d "$${TMPDIR:-/tmp}/lika-torture.XXXXXX"); \
	  (cd "$$d" && PATH="$(abspath $(BIN)):$$PATH" SRCDIR="$(CURDIR)" LIKA_UNIT="$(abspath $(BUILD)/tests)" \
	    timeout 1800 sh "$(CURDIR)/tests/torture/torture.sh" $(TORTURE_KILLS) $(TORTURE_CUTS)); rc=$$?; \
	  if [ $$rc = 0 ]; then rm -rf "$$d"; else echo "torture: failed (exit $$rc), left in $$d"; fi; \
	  exit $$rc

# the state tables in proto/STORAGE.md come from lib/core/schema.c (checked by t0100)
spec: $(BUILD)/tests/schema_doc
	@sh tests/tools/spec_block.sh write proto/STORAGE.md $(BUILD)/tests/schema_doc

clean:
	rm -rf build bin
