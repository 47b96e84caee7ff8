package impact

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"github.com/fanfarehq/fanfare/content/text"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/internal/keyspace"
)

// CodeLen is the length of a short link's code: 62^8 ≈ 2×10^14 codes, drawn
// at random, so one code says nothing of another.
const CodeLen = 8

// RedirectPath is where short links are answered: {public_url}/r/{code}.
const RedirectPath = "/r/"

// LinkOptions configure Links. PublicURL is required.
type LinkOptions struct {
	// PublicURL is where people reach Fanfare (http.public_url).
	PublicURL string
	// Kinds are the kinds of post that get a short link; default milestone,
	// story, digest and manual (curated posts link to someone else's page).
	Kinds []content.Kind
	// Crawlers tells robots from people; nil: the vendored list.
	Crawlers *Crawlers
	// Location is the platform's time zone: clicks are counted per day there.
	Location *time.Location
	Now      func() time.Time // nil: time.Now
	Logger   *slog.Logger     // nil: slog.Default()
}

// Links makes the posts' short links, answers them and counts their clicks.
// It implements content.Linker.
type Links struct {
	rdb      redis.UniversalClient
	k        keys
	base     string // {public_url}/r/
	kinds    map[content.Kind]bool
	crawlers *Crawlers
	loc      *time.Location
	now      func() time.Time
	log      *slog.Logger

	saltMu sync.Mutex
	salts  map[string][]byte // day -> salt, today's and yesterday's at most

	targets sync.Map // code -> where it leads: it never changes
	cached  atomic.Int64
	clicks  chan click // to Run
	running atomic.Bool
}

var _ content.Linker = (*Links)(nil)

// NewLinks checks the options and returns the short links of a Redis.
func NewLinks(rdb redis.UniversalClient, prefix string, o LinkOptions) (*Links, error) {
	if err := keyspace.Check(prefix); err != nil {
		return nil, fmt.Errorf("impact: %w", err)
	}
	pu, err := url.Parse(strings.TrimRight(o.PublicURL, "/"))
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, fmt.Errorf("impact: public URL %q is not an absolute http(s) URL", o.PublicURL)
	}
	if o.Crawlers == nil {
		if o.Crawlers, err = NewCrawlers(); err != nil {
			return nil, err
		}
	}
	if len(o.Kinds) == 0 {
		o.Kinds = []content.Kind{content.KindMilestone, content.KindStory, content.KindDigest, content.KindManual}
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	l := &Links{rdb: rdb, k: newKeys(prefix), base: pu.String() + RedirectPath, kinds: map[content.Kind]bool{},
		crawlers: o.Crawlers, loc: o.Location, now: o.Now,
		log: o.Logger.With("component", "links"), salts: map[string][]byte{},
		clicks: make(chan click, 16384)}
	for _, k := range o.Kinds {
		l.kinds[k] = true
	}
	return l, nil
}

// makeLink gives a post its code, once.
//
// KEYS[1]: the post's code key
// KEYS[2]: the new code's link hash
// ARGV[1]: the post id, ARGV[2]: where the link leads, ARGV[3]: the new code
// Returns the post's code: the one it had, or ARGV[3]; false when ARGV[3]
// is taken already (draw another).
var makeLink = redis.NewScript(`
local have = redis.call('GET', KEYS[1])
if have then return have end
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
redis.call('HSET', KEYS[2], 'p', ARGV[1], 'to', ARGV[2])
redis.call('SET', KEYS[1], ARGV[3])
return ARGV[3]
`)

// Link implements content.Linker: the post's short link, made on first
// ask, leading to target tagged for the post (see Destination).
func (l *Links) Link(ctx context.Context, postID, network string, kind content.Kind, target string) (string, error) {
	if !l.kinds[kind] {
		return "", nil
	}
	dest, err := Destination(target, network, postID)
	if err != nil {
		return "", nil // not a web link: the post keeps it as it is
	}
	for range 8 {
		code := NewCode()
		got, err := makeLink.Run(ctx, l.rdb, []string{l.k.code(postID), l.k.link(code)}, postID, dest, code).Text()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("impact: unable to make the short link of post %s: %w", postID, err)
		}
		return l.base + got, nil
	}
	return "", fmt.Errorf("impact: unable to draw a free code for post %s", postID)
}

// Unlink implements content.Linker.
func (l *Links) Unlink(ctx context.Context, postID string) error {
	code, err := l.rdb.Get(ctx, l.k.code(postID)).Result()
	if errors.Is(err, redis.Nil) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("impact: unable to read the code of post %s: %w", postID, err)
	}
	l.targets.Delete(code)
	if err := l.rdb.Del(ctx, l.k.code(postID), l.k.link(code)).Err(); err != nil {
		return fmt.Errorf("impact: unable to forget the link of post %s: %w", postID, err)
	}
	return nil
}

// ShortURL returns a post's short link, if it has one.
func (l *Links) ShortURL(ctx context.Context, postID string) (string, bool, error) {
	code, err := l.rdb.Get(ctx, l.k.code(postID)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("impact: unable to read the code of post %s: %w", postID, err)
	}
	return l.base + code, true, nil
}

// Destination is where a post's short link leads: target with the UTM tags
// that credit the visit to the post (utm_source the network, utm_medium
// social, utm_campaign fanfare, utm_content the post id), in place of any it
// carried.
func Destination(target, network, postID string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(target))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("impact: %q is not an absolute http(s) URL", target)
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(strings.ToLower(k), "utm_") {
			q.Del(k)
		}
	}
	q.Set("utm_source", text.NetworkOf(network)) // the network, not the account: x@platform_fr is x
	q.Set("utm_medium", "social")
	q.Set("utm_campaign", "fanfare")
	q.Set("utm_content", postID)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewCode draws a random code of CodeLen base62 characters (rejection
// sampling: every character equally likely).
func NewCode() string {
	out := make([]byte, 0, CodeLen)
	var buf [16]byte
	for len(out) < CodeLen {
		_, _ = rand.Read(buf[:])
		for _, b := range buf {
			if b < 248 && len(out) < CodeLen { // 248 = 4 × 62
				out = append(out, base62[b%62])
			}
		}
	}
	return string(out)
}

// validCode reports whether s could be a code: anything else is a 404
// without asking Redis.
func validCode(s string) bool {
	if len(s) < 7 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(base62, s[i]) < 0 {
			return false
		}
	}
	return true
}
