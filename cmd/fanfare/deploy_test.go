package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func repoFile(t *testing.T, rel string) string {
	t.Helper()
	_, self, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", "..", rel))
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return string(b)
}

// directives are a unit's or Dockerfile's lines without comments.
func directives(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func hasLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want || strings.HasPrefix(want, "^") && strings.HasPrefix(l, want[1:]) {
			return true
		}
	}
	return false
}

// TestSystemdUnitHardened: the shipped unit runs the daemon as a dynamic
// user, with a read-only system and no privileges.
func TestSystemdUnitHardened(t *testing.T) {
	unit := directives(repoFile(t, "deploy/fanfare.service"))
	for _, want := range []string{
		"^ExecStart=/usr/local/bin/fanfare run -config ",
		"DynamicUser=yes", "NoNewPrivileges=yes", "CapabilityBoundingSet=", "ProtectSystem=strict", "ProtectHome=yes",
		"PrivateTmp=yes", "PrivateDevices=yes", "ProtectKernelTunables=yes", "ProtectKernelModules=yes",
		"ProtectControlGroups=yes", "RestrictNamespaces=yes", "RestrictSUIDSGID=yes", "LockPersonality=yes",
		"MemoryDenyWriteExecute=yes", "SystemCallArchitectures=native", "SystemCallFilter=@system-service",
		"^RestrictAddressFamilies=AF_INET AF_INET6", "Restart=on-failure",
	} {
		if !hasLine(unit, want) {
			t.Errorf("deploy/fanfare.service lacks %s", strings.TrimPrefix(want, "^"))
		}
	}
	// The stop budget covers the daemon's own shutdown (HTTP, then jobs).
	if !hasLine(unit, "TimeoutStopSec=100s") || shutdownJobsBudget.Seconds()+15 > 100 {
		t.Errorf("TimeoutStopSec does not cover the shutdown budget of %v", shutdownJobsBudget)
	}
}

// TestDockerfileStaticNonRoot: the image is a static binary on scratch,
// with CA certificates, running as a user that is not root.
func TestDockerfileStaticNonRoot(t *testing.T) {
	df := directives(repoFile(t, "Dockerfile"))
	for _, want := range []string{
		"FROM scratch", "^RUN CGO_ENABLED=0 go build ",
		"COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt",
		"USER 65534:65534", `ENTRYPOINT ["/fanfare"]`,
	} {
		if !hasLine(df, want) {
			t.Errorf("Dockerfile lacks %s", strings.TrimPrefix(want, "^"))
		}
	}
	last := ""
	for _, l := range df {
		if strings.HasPrefix(l, "USER ") {
			last = l
		}
	}
	if last == "" || strings.Contains(last, " 0") || strings.Contains(last, "root") {
		t.Errorf("the image runs as %q", last)
	}
}
