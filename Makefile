# The two commands: `make run` (the demo on http://localhost:8080) and
# `make test` (the whole test suite). Both install what is missing first.
.PHONY: run test build web bootstrap clean format

JOBS ?= $(shell nproc)
RELEASE_DIR := build/release
TEST_DIR := build/asan

bootstrap:
	@scripts/bootstrap

$(RELEASE_DIR)/build.ninja:
	cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCITYPULSE_TESTS=OFF

$(TEST_DIR)/build.ninja:
	cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Asan

# The web UI (web/, Vite): npm ci with the committed lockfile, then the
# production build in web/dist, which the binary embeds and serves (or, with
# http.web_root set, serves from that folder).
web: bootstrap
	cd web && npm ci --no-audit --no-fund && npm run build

build: bootstrap web $(RELEASE_DIR)/build.ninja
	ninja -C $(RELEASE_DIR) -j $(JOBS) citypulse

run: build
	$(RELEASE_DIR)/citypulse demo --data-dir ./data --http-port 8080

test: bootstrap web $(TEST_DIR)/build.ninja
	ninja -C $(TEST_DIR) -j $(JOBS)
	cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 300

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build
