package impact

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
)

// crawlerList is monperrus/crawler-user-agents, vendored by scripts/vendor-js
// from its npm package at the version pinned in tools/vendor (MIT, see
// LICENSE.crawler-user-agents): robots, crawlers and the link-preview
// fetchers of the networks (Twitterbot, facebookexternalhit, Slackbot,
// WhatsApp, Discordbot…), each a regular expression over the User-Agent
// with example instances. A maintained list beats ours: the networks add
// fetchers faster than we would notice.
//
//go:embed crawler-user-agents.json
var crawlerList []byte

// Crawlers tells robots from people by their User-Agent. It is safe for
// concurrent use.
type Crawlers struct {
	// byHead indexes the patterns that are plain text by their first
	// headLen bytes: a User-Agent is looked up at each of its positions
	// instead of being searched for each of the 1,400 literals.
	// A pattern that is not plain text is indexed by a text every match
	// contains, and its expression runs only where that text is found.
	byHead map[string][]prefiltered
	re     *regexp.Regexp // patterns with no such text, as one alternation
	mu     sync.RWMutex
	seen   map[string]bool // recent answers: a few user agents make most requests
}

// seenMax bounds the answers remembered; the memory is emptied when full.
const seenMax = 8192

// crawlerEntry is one record of the list.
type crawlerEntry struct {
	Pattern   string   `json:"pattern"`
	Instances []string `json:"instances"`
}

func loadCrawlerEntries() ([]crawlerEntry, error) {
	var es []crawlerEntry
	if err := json.Unmarshal(crawlerList, &es); err != nil {
		return nil, fmt.Errorf("impact: crawler list: %w", err)
	}
	return es, nil
}

// NewCrawlers compiles the vendored list, plus extra patterns (regular
// expressions over the User-Agent, e.g. a network fetcher the list lacks).
func NewCrawlers(extra ...string) (*Crawlers, error) {
	es, err := loadCrawlerEntries()
	if err != nil {
		return nil, err
	}
	pats := make([]string, 0, len(es)+len(extra))
	for _, e := range es {
		pats = append(pats, e.Pattern)
	}
	pats = append(pats, extra...)
	c := &Crawlers{seen: map[string]bool{}, byHead: map[string][]prefiltered{}}
	var res []string
	for _, p := range pats {
		re, err := syntax.Parse(p, syntax.Perl)
		if err != nil {
			return nil, fmt.Errorf("impact: crawler pattern %q: %w", p, err)
		}
		if re = re.Simplify(); re.Op == syntax.OpLiteral && re.Flags&syntax.FoldCase == 0 && len(string(re.Rune)) >= headLen {
			c.byHead[string(re.Rune[:headLen])] = append(c.byHead[string(re.Rune[:headLen])], prefiltered{lit: string(re.Rune)})
			continue
		}
		if lit := requiredLiteral(re); len(lit) >= headLen {
			x, err := regexp.Compile(p)
			if err != nil {
				return nil, fmt.Errorf("impact: crawler pattern %q: %w", p, err)
			}
			c.byHead[lit[:headLen]] = append(c.byHead[lit[:headLen]], prefiltered{lit: lit, re: x})
			continue
		}
		res = append(res, "(?:"+p+")")
	}
	if len(res) > 0 {
		if c.re, err = regexp.Compile(strings.Join(res, "|")); err != nil {
			return nil, fmt.Errorf("impact: crawler patterns: %w", err)
		}
	}
	return c, nil
}

// IsBot reports whether a User-Agent is a robot's or a link-preview
// fetcher's. An empty User-Agent is a robot's: every browser sends one.
func (c *Crawlers) IsBot(ua string) bool {
	if strings.TrimSpace(ua) == "" {
		return true
	}
	c.mu.RLock()
	bot, ok := c.seen[ua]
	c.mu.RUnlock()
	if ok {
		return bot
	}
	bot = c.match(ua)
	c.mu.Lock()
	if len(c.seen) >= seenMax {
		clear(c.seen)
	}
	c.seen[ua] = bot
	c.mu.Unlock()
	return bot
}

// headLen is how many leading bytes of a literal pattern index it.
const headLen = 3

// prefiltered is a pattern behind a text its matches contain: plain text
// when re is nil.
type prefiltered struct {
	lit string
	re  *regexp.Regexp
}

// requiredLiteral is the longest case-sensitive text that every match of re
// contains, or "": a literal child of a concatenation.
func requiredLiteral(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase == 0 {
			return string(re.Rune)
		}
	case syntax.OpCapture, syntax.OpPlus:
		return requiredLiteral(re.Sub[0])
	case syntax.OpConcat:
		best := ""
		for _, sub := range re.Sub {
			if l := requiredLiteral(sub); len(l) > len(best) {
				best = l
			}
		}
		return best
	}
	return ""
}

func (c *Crawlers) match(ua string) bool {
	for i := 0; i+headLen <= len(ua); i++ {
		for _, p := range c.byHead[ua[i:i+headLen]] {
			if strings.HasPrefix(ua[i:], p.lit) && (p.re == nil || p.re.MatchString(ua)) {
				return true
			}
		}
	}
	return c.re != nil && c.re.MatchString(ua)
}
