# hubreach: the two commands that matter are `make run` and `make test`.
GO      ?= go
BIN     := bin/hubreach
CONFIG  ?= config/demo.yaml
export CGO_ENABLED := 1

.PHONY: all build run test bench vet fmt clean national

all: build

build:
	$(GO) build -o $(BIN) ./cmd/hubreach

# The main job on the default (synthetic demo) area: no downloads needed.
run: build
	./$(BIN) run --config $(CONFIG)

# Every test. Tests that need the real data in ../shared/data skip with a message when it is absent.
test:
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

# Speed and memory targets are checked here, never by timed tests.
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

national: build
	./$(BIN) national --config $(CONFIG)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin out
