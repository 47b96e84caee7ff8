// Package preview is a Publisher that records what would be posted instead of
// sending it: for demos, and for a network enabled before its credentials are.
// A preview-published post ends published like a real one (ExternalID
// "preview-<n>", URL <public_url>/posts/<post id>), so the Atom feed and the
// dashboard show it; the network name stays the real one ("x", "facebook") so
// that the queue, the schedule and the caps stay per network.
package preview

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/bots"
	"github.com/fanfarehq/fanfare/internal/keyspace"
)

// keep bounds the recorded posts per network.
const keep = 1000

// Options configures a Publisher.
type Options struct {
	PublicURL string           // the daemon's http.public_url; receipts point under it
	Now       func() time.Time // nil: time.Now
}

// Publisher records posts in Redis: a capped list per network, newest first,
// under "{prefix}:preview:<network>:*".
type Publisher struct {
	rdb     redis.UniversalClient
	network string
	base    string
	opts    Options
}

var _ bots.Publisher = (*Publisher)(nil)

// Record is one recorded post.
type Record struct {
	ID     string    `json:"id"`
	PostID string    `json:"post_id"`
	Text   string    `json:"text"`
	Link   string    `json:"link,omitempty"`
	Image  string    `json:"image_url,omitempty"`
	At     time.Time `json:"at"`
}

// New returns a preview publisher for network ("x", "facebook").
func New(network string, rdb redis.UniversalClient, prefix string, opts Options) *Publisher {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.PublicURL = strings.TrimSuffix(opts.PublicURL, "/")
	return &Publisher{rdb: rdb, network: network, base: keyspace.Base(prefix) + "preview:" + network + ":", opts: opts}
}

func (p *Publisher) seqKey() string   { return p.base + "seq" }
func (p *Publisher) postsKey() string { return p.base + "posts" }

// Network returns the real network's name.
func (p *Publisher) Network() string { return p.network }

// Verify always succeeds: there is no credential to check.
func (p *Publisher) Verify(context.Context) error { return nil }

// Publish records the message and returns a receipt under the public URL.
func (p *Publisher) Publish(ctx context.Context, m bots.Message) (bots.Receipt, error) {
	n, err := p.rdb.Incr(ctx, p.seqKey()).Result()
	if err != nil {
		return bots.Receipt{}, &bots.Error{Network: p.network, Kind: bots.KindNotSent, Message: "preview: unable to record", Err: err}
	}
	now := p.opts.Now().UTC()
	r := Record{ID: "preview-" + strconv.FormatInt(n, 10), PostID: m.PostID, Text: m.Text, Link: m.Link, Image: m.ImageURL, At: now}
	b, err := json.Marshal(r)
	if err != nil {
		return bots.Receipt{}, err
	}
	pipe := p.rdb.TxPipeline()
	pipe.LPush(ctx, p.postsKey(), b)
	pipe.LTrim(ctx, p.postsKey(), 0, keep-1)
	if _, err := pipe.Exec(ctx); err != nil {
		// The sequence moved but nothing was recorded: ambiguous like any
		// dropped answer; reconcile will not find it and a person decides.
		return bots.Receipt{}, &bots.Error{Network: p.network, Kind: bots.KindAmbiguous, Message: "preview: unable to record", Err: err}
	}
	return bots.Receipt{ID: r.ID, URL: p.url(r), PublishedAt: now}, nil
}

func (p *Publisher) url(r Record) string {
	if r.PostID != "" {
		return p.opts.PublicURL + "/posts/" + r.PostID
	}
	return p.opts.PublicURL + "/preview/" + p.network + "/" + r.ID
}

// Recorded returns the recorded posts, newest first.
func (p *Publisher) Recorded(ctx context.Context) ([]Record, error) {
	raw, err := p.rdb.LRange(ctx, p.postsKey(), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("preview: unable to read records: %w", err)
	}
	out := make([]Record, 0, len(raw))
	for _, s := range raw {
		var r Record
		if err := json.Unmarshal([]byte(s), &r); err != nil {
			return nil, fmt.Errorf("preview: bad record: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}

// FindRecent finds a recorded post with this text recorded at or after since.
func (p *Publisher) FindRecent(ctx context.Context, text string, since time.Time) (bots.Receipt, bool, error) {
	recs, err := p.Recorded(ctx)
	if err != nil {
		return bots.Receipt{}, false, err
	}
	for _, r := range recs {
		if r.Text == text && !r.At.Before(since) {
			return bots.Receipt{ID: r.ID, URL: p.url(r), PublishedAt: r.At}, true, nil
		}
	}
	return bots.Receipt{}, false, nil
}

// Engagement returns small synthetic numbers for the demo's charts: derived
// from a hash of the id, so the same id always reads the same, never random.
func (p *Publisher) Engagement(_ context.Context, ids []string) (map[string]bots.Engagement, error) {
	out := make(map[string]bots.Engagement, len(ids))
	for _, id := range ids {
		if !strings.HasPrefix(id, "preview-") {
			continue // not ours: the network would not know it either
		}
		h := fnv.New32a()
		h.Write([]byte(id))
		v := int64(h.Sum32())
		out[id] = bots.Engagement{Likes: v % 40, Shares: v / 40 % 10, Replies: v / 400 % 6, Impressions: 200 + v%40*25}
	}
	return out, nil
}
