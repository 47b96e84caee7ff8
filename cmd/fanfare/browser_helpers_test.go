package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/fanfarehq/fanfare/internal/langcheck"
	"github.com/fanfarehq/fanfare/web"
)

// watch counts the tab's full page loads and collects what the page's
// scripts say went wrong: uncaught exceptions and console errors (a CSP
// refusal of an inline script or of eval is one).
type watch struct {
	loads  atomic.Int64
	mu     sync.Mutex
	errors []string
}

func (b *browser) watch() *watch {
	w := &watch{}
	if err := chromedp.Listen(b.ctx, func(ev any) {
		switch e := ev.(type) {
		case *page.EventFrameNavigated:
			if e.Frame.ParentID == "" {
				w.loads.Add(1)
			}
		case *cdpruntime.EventExceptionThrown:
			w.add("exception: " + e.ExceptionDetails.Text + " " + exceptionDescription(e.ExceptionDetails))
		case *log.EventEntryAdded:
			// Network entries are the answers the test asks for (a refused
			// move is a 422, a cross-site post a 403); scripts and the
			// security policy are what must stay silent.
			if e.Entry.Level == log.EntryLevelError && e.Entry.Source != log.EntrySourceNetwork {
				w.add("console: " + e.Entry.Text + " " + e.Entry.URL)
			}
		case *cdpruntime.EventConsoleAPICalled:
			if e.Type == cdpruntime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value))
				}
				w.add("console.error: " + strings.Join(parts, " "))
			}
		}
	}); err != nil {
		b.t.Fatal(err)
	}
	b.do("enable the log domain", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, log.Enable, cdp.Empty{})
		return err
	}))
	return w
}

func exceptionDescription(d *cdpruntime.ExceptionDetails) string {
	if d.Exception != nil {
		return d.Exception.Description
	}
	return ""
}

func (w *watch) add(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.errors = append(w.errors, s)
}

// problems returns what went wrong in the page's scripts so far.
func (w *watch) problems() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.errors...)
}

// mark leaves a value in the page's window: it survives anything but a
// full page load.
func (b *browser) mark() {
	b.t.Helper()
	run(b, "mark the page", chromedp.Evaluate[bool](`window.__fanfareMark = true`))
}

func (b *browser) marked() bool {
	b.t.Helper()
	return run(b, "read the mark", chromedp.Evaluate[bool](`window.__fanfareMark === true`))
}

// axeSource is axe-core, vendored by scripts/vendor-js.
var axeSource = sync.OnceValues(func() (string, error) {
	_, self, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(self), "testdata", "axe.min.js"))
	return string(b), err
})

// axeViolation is what the test keeps of an axe-core result.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Nodes   int      `json:"nodes"`
	Targets []string `json:"targets"`
	Help    string   `json:"help"`
}

// axe runs axe-core (WCAG 2.x A and AA rules, and best practices) on the
// page as it is and returns its violations.
func (b *browser) axe() []axeViolation {
	b.t.Helper()
	src, err := axeSource()
	if err != nil {
		b.t.Fatalf("axe-core: %v (scripts/vendor-js vendors it)", err)
	}
	if !run(b, "look for axe", chromedp.Evaluate[bool](`typeof window.axe === "object"`)) {
		run(b, "inject axe-core", chromedp.Evaluate[bool](src+";true"))
	}
	raw := run(b, "run axe-core", chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({
		id: v.id, impact: v.impact || "", nodes: v.nodes.length, help: v.help,
		targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`, chromedp.EvalAwaitPromise))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		b.t.Fatalf("axe-core answer: %v: %s", err, raw)
	}
	return vs
}

// axeCounts counts violations (by affected elements) per impact.
func axeCounts(vs []axeViolation) map[string]int {
	out := map[string]int{}
	for _, v := range vs {
		out[v.Impact] += v.Nodes
	}
	return out
}

// englishLeft reads the page as rendered and returns the English words a
// person would read on it (see internal/langcheck).
func (b *browser) englishLeft() []string {
	b.t.Helper()
	src := run(b, "read the page", chromedp.Evaluate[string](`document.documentElement.outerHTML`))
	root, err := html.Parse(strings.NewReader(src))
	if err != nil {
		b.t.Fatalf("parse the page: %v", err)
	}
	return langcheck.Leaks(root, "fr", englishVocabulary())
}

var englishVocabulary = sync.OnceValue(web.EnglishWords)

// report is the measures the README quotes, printed at the end of the test.
type report struct {
	mu    sync.Mutex
	lines []string
	axe   map[string]map[string]int  // page → impact → elements
	rules map[string]map[string]bool // page → rules with violations
}

func (r *report) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

func (r *report) axeResult(page string, vs []axeViolation) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.axe == nil {
		r.axe, r.rules = map[string]map[string]int{}, map[string]map[string]bool{}
	}
	r.axe[page] = axeCounts(vs)
	r.rules[page] = map[string]bool{}
	for _, v := range vs {
		r.rules[page][v.Impact+" "+v.ID] = true
	}
}

func (r *report) log(t *testing.T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString("\nMEASURES\n")
	for _, l := range r.lines {
		b.WriteString("  " + l + "\n")
	}
	pages := make([]string, 0, len(r.axe))
	for p := range r.axe {
		pages = append(pages, p)
	}
	sort.Strings(pages)
	b.WriteString("  axe-core violations (elements) per page: critical / serious / moderate / minor\n")
	for _, p := range pages {
		c := r.axe[p]
		var rules []string
		for id := range r.rules[p] {
			rules = append(rules, id)
		}
		sort.Strings(rules)
		fmt.Fprintf(&b, "    %-36s %d / %d / %d / %d  %s\n", p, c["critical"], c["serious"], c["moderate"], c["minor"], strings.Join(rules, ", "))
	}
	t.Log(b.String())
}

// noCache makes the tab fetch everything again, as a first visit does.
func (b *browser) noCache() {
	b.t.Helper()
	b.do("disable the cache", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.SetCacheDisabled, network.SetCacheDisabledParams{CacheDisabled: true})
		return err
	}))
}
