package main

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// TestVersionBuildInfo: `fanfare version` says which Go built it, for which
// platform and module, in text and in JSON (from runtime/debug.ReadBuildInfo).
func TestVersionBuildInfo(t *testing.T) {
	code, out, _ := runCmd(t, nil, "", "version")
	if code != 0 || !strings.HasPrefix(out, "fanfare ") || !strings.Contains(out, runtime.GOOS+"/"+runtime.GOARCH) ||
		!strings.Contains(out, "module    github.com/fanfarehq/fanfare") {
		t.Fatalf("version = %d:\n%s", code, out)
	}
	code, out, _ = runCmd(t, nil, "", "version", "--json")
	var b buildInfo
	if err := json.Unmarshal([]byte(out), &b); err != nil || code != 0 {
		t.Fatalf("version --json = %d %v:\n%s", code, err, out)
	}
	if b.Go == "" || b.Module != "github.com/fanfarehq/fanfare" || b.Platform != runtime.GOOS+"/"+runtime.GOARCH || b.Version == "" {
		t.Errorf("build info %+v", b)
	}
}
