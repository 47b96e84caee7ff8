package impact

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/redistest"
)

const (
	browserUA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36"
	phoneUA   = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

// testClock is a settable clock.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newTestLinks(t testing.TB, clock *testClock) *Links {
	t.Helper()
	l, err := NewLinks(redistest.Client(t), "test", LinkOptions{PublicURL: "https://fan.example/", Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLinkIsMadeOncePerPostAndLeadsToTheTaggedCampaign(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
	l := newTestLinks(t, clock)
	const target = "https://platform.example/p/lumiere?ref=home&utm_source=x&utm_campaign=c1&utm_content=percent%3A50#top"
	link, err := l.Link(ctx, "POST1", "x", content.KindMilestone, target)
	if err != nil {
		t.Fatal(err)
	}
	code, ok := strings.CutPrefix(link, "https://fan.example/r/")
	if !ok || len(code) < 7 || !validCode(code) {
		t.Fatalf("link %q: want https://fan.example/r/<7+ base62>", link)
	}
	again, _ := l.Link(ctx, "POST1", "x", content.KindMilestone, "https://platform.example/other")
	if again != link {
		t.Fatalf("second ask gave %q, want %q", again, link)
	}
	other, _ := l.Link(ctx, "POST2", "facebook", content.KindMilestone, target)
	if other == link {
		t.Fatal("two posts share a link")
	}
	if none, err := l.Link(ctx, "POST3", "x", content.KindCurated, target); none != "" || err != nil {
		t.Fatalf("curated post got %q, %v", none, err)
	}
	if none, err := l.Link(ctx, "POST4", "x", content.KindMilestone, "ftp://nope"); none != "" || err != nil {
		t.Fatalf("a non-web target got %q, %v", none, err)
	}

	to, err := l.Follow(ctx, code, Visit{Count: true, UserAgent: browserUA})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(to)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	want := map[string]string{"utm_source": "x", "utm_medium": "social", "utm_campaign": "fanfare", "utm_content": "POST1", "ref": "home"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q (location %s)", k, q.Get(k), v, u)
		}
	}
	if u.Host != "platform.example" || u.Path != "/p/lumiere" || u.Fragment != "top" {
		t.Errorf("location %s", u)
	}

	if err := l.Unlink(ctx, "POST2"); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := l.ShortURL(ctx, "POST2"); ok {
		t.Fatal("unlinked post still has a link")
	}
	if to, err := l.Follow(ctx, strings.TrimPrefix(other, "https://fan.example"+RedirectPath), Visit{}); !errors.Is(err, ErrNoLink) {
		t.Fatalf("unlinked code leads to %q, %v", to, err)
	}
}

func TestCodesAreRandomBase62(t *testing.T) {
	seen := map[string]bool{}
	counts := map[byte]int{}
	for range 20000 {
		c := NewCode()
		if len(c) != CodeLen || !validCode(c) {
			t.Fatalf("code %q", c)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice", c)
		}
		seen[c] = true
		counts[c[0]]++
	}
	if len(counts) != 62 {
		t.Fatalf("first characters use %d symbols, want 62", len(counts))
	}
	for ch, n := range counts {
		// 20000/62 ≈ 323 each; a biased draw (b % 62 without rejection)
		// would give some characters 25 % more.
		if n < 230 || n > 420 {
			t.Errorf("character %q drawn %d times", ch, n)
		}
	}
}

// TestClicksCountPeopleNotRobots: browsers' GETs count, per day; HEAD and
// robots (link previews) are answered and not counted; unique visitors are
// estimated per day; unknown codes are a plain 404.
func TestClicksCountPeopleNotRobots(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
	l := newTestLinks(t, clock)
	link, err := l.Link(ctx, "P1", "x", content.KindMilestone, "https://platform.example/p/1")
	if err != nil {
		t.Fatal(err)
	}
	code := strings.TrimPrefix(link, "https://fan.example"+RedirectPath)
	hit := func(count bool, ua, addr string) {
		t.Helper()
		to, err := l.Follow(ctx, code, Visit{Count: count, Addr: addr, UserAgent: ua})
		if err != nil || !strings.HasPrefix(to, "https://platform.example/p/1?") {
			t.Fatalf("Follow(%s) = %q, %v", code, to, err)
		}
	}
	for i := range 10 {
		ua := browserUA
		if i%2 == 1 {
			ua = phoneUA
		}
		hit(true, ua, fmt.Sprintf("203.0.113.%d", i%4))
	}
	for _, ua := range []string{"Twitterbot/1.0", "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
		"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", ""} {
		hit(true, ua, "198.51.100.1")
	}
	hit(false, browserUA, "203.0.113.9") // a HEAD
	clock.Add(24 * time.Hour)
	hit(true, browserUA, "203.0.113.0") // the same visitor, the next day

	got, err := l.Clicks(ctx, []string{"P1", "NOLINK"})
	if err != nil {
		t.Fatal(err)
	}
	c := got["P1"]
	if c.Clicks != 11 || c.ByDay["2026-05-04"] != 10 || c.ByDay["2026-05-05"] != 1 {
		t.Fatalf("clicks %+v, want 10 on the 4th and 1 on the 5th", c)
	}
	// 4 addresses × 2 user agents, but address i%4 and agent i%2 pair up
	// as (0,b) (1,p) (2,b) (3,p): 4 visitors on the first day, 1 the next.
	if c.UniqueVisitors != 5 {
		t.Fatalf("unique visitors %d, want 5", c.UniqueVisitors)
	}
	if _, ok := got["NOLINK"]; ok {
		t.Fatal("a post without a link has counts")
	}

	for _, c := range []string{"zzzzzzzz", "short", "has-dash!", ""} {
		if to, err := l.Follow(ctx, c, Visit{Count: true, UserAgent: browserUA}); !errors.Is(err, ErrNoLink) {
			t.Errorf("Follow(%q) = %q, %v, want ErrNoLink", c, to, err)
		}
	}
	// No address is stored anywhere.
	keys, _ := l.rdb.Keys(ctx, "*").Result()
	for _, k := range keys {
		if strings.Contains(k, "203.0.113") {
			t.Errorf("key %s holds an address", k)
		}
		if typ, _ := l.rdb.Type(ctx, k).Result(); typ == "string" {
			if v, _ := l.rdb.Get(ctx, k).Result(); strings.Contains(v, "203.0.113") {
				t.Errorf("key %s holds an address", k)
			}
		}
	}
}

func TestSaltChangesEveryDay(t *testing.T) {
	ctx := context.Background()
	clock := &testClock{t: time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)}
	l := newTestLinks(t, clock)
	a, err := l.salt(ctx, "2026-05-04")
	if err != nil {
		t.Fatal(err)
	}
	// Another replica reads the same salt for the day.
	l2 := newTestLinksOn(t, l, clock)
	b, _ := l2.salt(ctx, "2026-05-04")
	c, _ := l.salt(ctx, "2026-05-05")
	if string(a) != string(b) || string(a) == string(c) || len(a) != 32 {
		t.Fatalf("salts: same day %x %x, next day %x", a, b, c)
	}
	if ttl := l.rdb.TTL(ctx, l.k.salt("2026-05-04")).Val(); ttl <= 0 || ttl > 48*time.Hour {
		t.Fatalf("salt kept %s", ttl)
	}
}

func newTestLinksOn(t *testing.T, l *Links, clock *testClock) *Links {
	t.Helper()
	o, err := NewLinks(l.rdb, "test", LinkOptions{PublicURL: "https://fan.example", Now: clock.Now, Crawlers: l.crawlers})
	if err != nil {
		t.Fatal(err)
	}
	return o
}
