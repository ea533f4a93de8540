# The front door. `make test` and `make bench` install any missing Debian packages, configure,
# build, and run. Everything else is plain CMake (see CMakePresets.json).

PACKAGES := cmake g++ make pkg-config liblz4-dev libxxhash-dev libgtest-dev libgmock-dev \
            libbenchmark-dev libgflags-dev
JOBS ?= 2
CTEST_ARGS ?=

.PHONY: all deps release asan tsan debug test test-release test-asan test-tsan test-long bench compare clean format \
        fuzz-deps fuzz fuzz-smoke test-tsan-suites tsa test-install test-install-shared

all: release

# Installs what is missing from the packages given: with apt-get as root, with sudo
# otherwise, else prints the line.
define install_missing
	@missing=$$(for p in $(1); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  line="apt-get install -y $$(echo $$missing)"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$line; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive $$line; \
	  else echo "Missing packages. Run: sudo apt-get update && sudo $$line"; exit 1; fi; \
	fi
endef

deps:
	$(call install_missing,$(PACKAGES))

release debug asan tsan: deps
	cmake --preset $@ >/dev/null
	cmake --build --preset $@ -j $(JOBS)

test-release: release
	ctest --preset release -j $(JOBS) $(CTEST_ARGS)
test-asan: asan
	ctest --preset asan -j $(JOBS) $(CTEST_ARGS)
test-tsan: tsan
	ctest --preset tsan -j $(JOBS) $(CTEST_ARGS)

# The whole suite: the Release build and the ASan+UBSan build (long-labelled tests excluded),
# the install (find_package and pkg-config from a temporary prefix), the concurrency-relevant
# suites under ThreadSanitizer (label "tsan"), clang's thread-safety analysis of the lock
# annotations, then a short run of every fuzz target.
test: test-release test-asan test-install test-tsan-suites tsa fuzz-smoke

# ThreadSanitizer on the suites labelled "tsan" only (tests/CMakeLists.txt lists them), so
# that CI stays short; make test-tsan runs everything under TSan.
test-tsan-suites: deps
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS) --target tsan_suites
	ctest --preset tsan -j $(JOBS) -L tsan $(CTEST_ARGS)

# clang's -Wthread-safety over the library and the test support, warnings as errors
# (GUARDED_BY, REQUIRES, EXCLUDES in util/thread_annotations.h). Compile only.
tsa: fuzz-deps
	cmake --preset clang-tsa >/dev/null
	cmake --build --preset clang-tsa -j $(JOBS)

# Installs the Release build into a temporary prefix and builds and runs the consumer
# programs (tests/install/consumer/) both ways. A few seconds once the build exists.
test-install: release
	JOBS=$(JOBS) bash tests/install/run.sh build/release

# The same for a shared library (a separate build of the library and tools only, in
# build/shared): not part of `make test`, to keep it short.
test-install-shared: deps
	cmake -S . -B build/shared -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
	  -DSTRATA_BUILD_TESTS=OFF -DSTRATA_BUILD_BENCH=OFF -DSTRATA_BUILD_TOOLS=OFF >/dev/null
	cmake --build build/shared -j $(JOBS)
	JOBS=$(JOBS) bash tests/install/run.sh build/shared

# libFuzzer targets (tests/fuzz/): clang, the preset "fuzz" (build/fuzz), seeds written by the
# engine's own code, then each target for FUZZ_SECONDS. Findings stay in build/fuzz/findings/
# and fail the run. fuzz-smoke is the short run that `make test` (and so CI) includes.
FUZZ_PACKAGES := clang libclang-rt-14-dev
FUZZ_SECONDS ?= 60
fuzz-deps: deps
	$(call install_missing,$(FUZZ_PACKAGES))
fuzz: fuzz-deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) bash tests/fuzz/run.sh
fuzz-smoke: fuzz-deps
	FUZZ_SECONDS=10 JOBS=$(JOBS) bash tests/fuzz/run.sh

# Long stress and crash runs, on demand.
test-long: release
	ctest --test-dir build/release -L long --output-on-failure $(CTEST_ARGS)

# The main job: db_bench's default workloads (fillseq, fillrandom, overwrite, readrandom,
# readseq on 1 M keys) on a fresh temporary database, removed afterwards. Builds db_bench
# alone, so a first `make bench` does not wait for the test suites to compile.
bench: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS) --target db_bench
	./build/release/bench/db_bench

# The same workloads on Strata, RocksDB and LevelDB in alternation, a table of medians and
# ratios, and a chart of them (build/compare.svg; -c FILE in COMPARE_ARGS for another).
# Installs the optional comparison libraries and matplotlib below if missing. Pass
# arguments with COMPARE_ARGS, e.g. make compare COMPARE_ARGS="-n 200000 -r 5".
COMPARE_PACKAGES := libleveldb-dev librocksdb-dev python3-matplotlib
COMPARE_ARGS ?=
compare: deps
	COMPARE_PACKAGES="$(COMPARE_PACKAGES)" JOBS=$(JOBS) bash bench/compare.sh $(COMPARE_ARGS)

format:
	clang-format -i $$(git ls-files '*.h' '*.cc')

clean:
	rm -rf build
