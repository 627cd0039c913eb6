# VisionStock: two commands on a fresh Debian 12 machine.
#   make run    install what is missing, build, serve http://localhost:8000 (SQLite in ./data, bundled model)
#   make test   install what is missing, build, run every test suite through CTest
#   make bench  build and run the benchmarks (results: docs/BENCHMARKS.md)
BUILD_DIR ?= build
JOBS ?= 2
PORT ?= 8000
DATA_DIR ?= ./data
CMAKE_FLAGS ?=

.PHONY: run test bench build setup format clean

setup:
	@scripts/setup.sh

build: setup
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/visionstock serve --port $(PORT) --data-dir $(DATA_DIR)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j 1

bench: build
	bench/run.sh $(BUILD_DIR)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)
