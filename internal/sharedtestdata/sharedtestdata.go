// Package sharedtestdata finds the test data that is not ours to copy
// (twitter-text conformance, real feeds, OAuth vectors): it lives in
// ../shared/testdata beside the repository.
//
// Where it is absent, a test that needs it skips with a message; under CI
// (CI=true, which .ci/run sets and CI services set) its absence fails the
// test instead, so that a CI run never passes without the conformance tests.
package sharedtestdata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns ../shared/testdata/<elem...> from the repository root (the
// directory holding go.mod above the test's), or skips the test when it is
// absent (fails it under CI=true).
func Dir(tb testing.TB, elem ...string) string {
	tb.Helper()
	root, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			tb.Fatal("sharedtestdata: go.mod not found above the test's directory")
		}
		root = parent
	}
	p := filepath.Join(append([]string{root, "..", "shared", "testdata"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("shared test data absent (%v): CI=true requires it; put the shared test data in ../shared/testdata beside the repository", err)
		}
		tb.Skipf("shared test data absent (%v): this test needs ../shared/testdata beside the repository (under CI=true its absence fails)", err)
	}
	return p
}
