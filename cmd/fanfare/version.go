package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3"; else it
// comes from the module's build info.
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
		if v != "" {
			return v
		}
	}
	return "devel"
}

// buildInfo is what `fanfare version` says of the binary: enough to tell
// which commit runs and how it was built when a bug report comes in.
type buildInfo struct {
	Version  string `json:"version"`
	Module   string `json:"module,omitempty"`
	Commit   string `json:"commit,omitempty"`
	Time     string `json:"commit_time,omitempty"`
	Modified bool   `json:"modified,omitempty"` // built from a tree with uncommitted changes
	Go       string `json:"go"`
	Platform string `json:"platform"`
	CGO      string `json:"cgo,omitempty"`
}

func readBuildInfo() buildInfo {
	b := buildInfo{Version: versionString(), Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	b.Module, b.Go = bi.Main.Path, bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			b.Commit = s.Value
		case "vcs.time":
			b.Time = s.Value
		case "vcs.modified":
			b.Modified = s.Value == "true"
		case "CGO_ENABLED":
			b.CGO = s.Value
		}
	}
	return b
}

func printVersion(w io.Writer, asJSON bool) error {
	b := readBuildInfo()
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(b)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "fanfare %s\n", b.Version)
	if b.Commit != "" {
		mod := ""
		if b.Modified {
			mod = " (modified)"
		}
		fmt.Fprintf(&sb, "  commit    %s%s\n", b.Commit, mod)
	}
	if b.Time != "" {
		fmt.Fprintf(&sb, "  committed %s\n", b.Time)
	}
	fmt.Fprintf(&sb, "  go        %s %s\n", b.Go, b.Platform)
	if b.CGO != "" {
		fmt.Fprintf(&sb, "  cgo       %s\n", b.CGO)
	}
	if b.Module != "" {
		fmt.Fprintf(&sb, "  module    %s\n", b.Module)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}
