# VisionStock: two commands on a fresh Debian 12 machine.
#   make run    install what is missing, build, serve http://localhost:8000 (SQLite in ./data, bundled model)
#   make test   install what is missing, build, run every test suite through CTest; before that,
#               a short libFuzzer pass over each seed corpus and the unit tests under ASan+UBSan
#   make bench  build and run the benchmarks (results: docs/BENCHMARKS.md)
#   make fuzz   fuzz every parser for FUZZ_SECONDS each (new inputs: build-fuzz/corpus/)
BUILD_DIR ?= build
JOBS ?= 2
PORT ?= 8000
DATA_DIR ?= ./data
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 60
SMOKE_SECONDS ?= 10

.PHONY: run test bench build setup format clean fuzz fuzz-smoke asan-test

setup:
	@scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@mkdir -p $(DATA_DIR)
	@if [ -f $(DATA_DIR)/visionstock.db ] && [ ! -f $(DATA_DIR)/initial-admin-password ]; then \
	  echo "VisionStock: open http://localhost:$(PORT)/ and log in with your account"; \
	  echo "  (add one with: $(BUILD_DIR)/visionstock user add NAME --role admin --data-dir $(DATA_DIR))"; \
	else \
	  echo "VisionStock: open http://localhost:$(PORT)/ and log in as 'admin' with the password in"; \
	  echo "  $(DATA_DIR)/initial-admin-password (written on the first start; delete it once you are in)"; \
	fi
	$(BUILD_DIR)/visionstock serve --port $(PORT) --data-dir $(DATA_DIR)

# In this order, one after the other: the fuzzers over their seeds, the unit tests under
# ASan+UBSan, then the main suite (JOBS tests at a time; the load tests run alone), whose summary
# closes the output. Any failure stops make.
test: build
	SMOKE_SECONDS=$(SMOKE_SECONDS) JOBS=$(JOBS) scripts/fuzz.sh smoke
	JOBS=$(JOBS) scripts/sanitize.sh build-asan
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

fuzz: setup
	FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) scripts/fuzz.sh run

fuzz-smoke: setup
	SMOKE_SECONDS=$(SMOKE_SECONDS) JOBS=$(JOBS) scripts/fuzz.sh smoke

asan-test: setup
	JOBS=$(JOBS) scripts/sanitize.sh build-asan

bench: build
	bench/run.sh $(BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-fuzz build-asan
