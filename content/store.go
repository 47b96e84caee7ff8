package content

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Errors of the publishing side of the store, beside ErrNotFound and ErrWrongState.
var (
	// ErrStaleAttempt: the claim that tries to finish a post no longer owns it
	// (its lease expired, or a person moved the post meanwhile).
	ErrStaleAttempt = errors.New("post is no longer held by this publish attempt")
	// ErrNotDue: the post's slot has not come yet (or it has none).
	ErrNotDue = errors.New("post is not due")
	// ErrScheduled: the post already has a slot (another replica planned it).
	ErrScheduled = errors.New("post already has a slot")
	// ErrSlotTaken: the slot no longer fits the network's calendar.
	ErrSlotTaken = errors.New("slot no longer free")
	// ErrNotAfterPassed: the post's not_after has passed; it must not go out.
	ErrNotAfterPassed = errors.New("post's not_after has passed")
)

// StoreOptions configures a Store; the zero value is usable.
type StoreOptions struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// AutoApprove lists the auto-approve rules (grammar: see AutoApprove).
	AutoApprove []string
	// Validate checks a text against the network's length rules (the lead wires
	// text.Check); nil means no check. Its error becomes a *FieldError on "text".
	Validate func(network, text string) error
	// IDs makes post ids; nil means time-sortable random ids (ULID-shaped).
	IDs func() string
	// Linker gives each new post its own link (see Linker); nil keeps the
	// links posts are written with.
	Linker Linker
	// ClaimReplicas is how many replicas must have a post's claim before
	// Claim lets it be sent (Redis WAIT; see ErrNotReplicated): 1 with
	// Sentinel or a Cluster with replicas, so that a failover cannot lose a
	// claim and a post go out twice. 0 waits for none.
	ClaimReplicas int
	// ClaimReplicaWait bounds that wait; 0 means DefaultReplicaWait.
	ClaimReplicaWait time.Duration
}

// Store is the Redis approval queue; it implements Queue and the publishing
// operations the bots use (Due, Claim, Complete...).
type Store struct {
	rdb      redis.UniversalClient
	k        keys
	now      func() time.Time
	auto     AutoApprove
	validate func(network, text string) error
	ids      func() string
	linker   Linker
	// replicas a claim must reach, within replicaWait (durableTransition).
	replicas    int
	replicaWait time.Duration
}

var _ Queue = (*Store)(nil)

// NewStore returns a queue on rdb whose keys start with "{prefix}:" (empty
// prefix: "fanfare"). It fails only on a bad auto-approve rule.
func NewStore(rdb redis.UniversalClient, prefix string, opts StoreOptions) (*Store, error) {
	auto, err := ParseAutoApprove(opts.AutoApprove)
	if err != nil {
		return nil, err
	}
	if opts.ClaimReplicas < 0 || opts.ClaimReplicaWait < 0 {
		return nil, fmt.Errorf("content: claim replicas %d and wait %v must not be negative", opts.ClaimReplicas, opts.ClaimReplicaWait)
	}
	s := &Store{rdb: rdb, k: newKeys(prefix), now: opts.Now, auto: auto, validate: opts.Validate, ids: opts.IDs, linker: opts.Linker,
		replicas: opts.ClaimReplicas, replicaWait: cmp.Or(opts.ClaimReplicaWait, DefaultReplicaWait)}
	if s.now == nil {
		s.now = time.Now
	}
	if s.ids == nil {
		s.ids = func() string { return newID(s.now()) }
	}
	return s, nil
}

// Create stores a draft as a pending post, or approved when an auto-approve rule
// matches; the same (DedupKey, Network) returns the existing post. A draft
// without DedupKey is never deduplicated.
func (s *Store) Create(ctx context.Context, d Draft) (Post, bool, error) {
	return s.create(ctx, d, nil, nil)
}

// NewID returns a new post id, for a draft that must know its id before it
// is stored (Draft.ID).
func (s *Store) NewID() string { return s.ids() }

func (s *Store) checkDraft(d *Draft) error {
	switch {
	case d.ID != "" && !validID(d.ID):
		return &FieldError{Field: "id", Message: fmt.Sprintf("%q is not a post id (26 characters of Crockford base32)", d.ID)}
	case !validChannel(d.Network):
		return &FieldError{Field: "network", Message: fmt.Sprintf("%q is not a network or network@account name (letters, digits, - and _)", d.Network)}
	case !slices.Contains(Kinds, d.Kind):
		return &FieldError{Field: "kind", Message: fmt.Sprintf("unknown kind %q", d.Kind)}
	case strings.ContainsAny(d.CampaignID, "{} \t\r\n"):
		return &FieldError{Field: "campaign_id", Message: "must not contain spaces or braces"}
	case strings.ContainsAny(d.GroupID, "{}\r\n"):
		return &FieldError{Field: "group_id", Message: "must not contain braces or line breaks"}
	case !d.NotAfter.IsZero() && d.NotAfter.Before(time.Unix(0, 0)):
		return &FieldError{Field: "not_after", Message: "is before 1970"}
	}
	if len(d.Covers) == 0 && d.Kind == KindMilestone && d.CampaignID != "" && d.Milestone != "" {
		d.Covers = []Cover{{CampaignID: d.CampaignID, Milestone: d.Milestone, NotAfter: d.NotAfter}}
	}
	if err := checkCovers(d.Covers); err != nil {
		return err
	}
	if err := s.checkText(d.Network, d.Text); err != nil {
		return err
	}
	if err := checkLink(d.Link); err != nil {
		return err
	}
	if d.Actor == "" {
		d.Actor = "system"
	}
	return nil
}

func (s *Store) checkText(network, text string) error {
	if strings.TrimSpace(text) == "" {
		return &FieldError{Field: "text", Message: "is empty"}
	}
	if s.validate != nil {
		if err := s.validate(network, text); err != nil {
			return &FieldError{Field: "text", Message: err.Error()}
		}
	}
	return nil
}

func checkLink(link string) error {
	if link == "" {
		return nil
	}
	if !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
		return &FieldError{Field: "link", Message: "must be an http or https URL"}
	}
	return nil
}

// validChannel accepts "network" and "network@account", each a validName.
func validChannel(s string) bool {
	n, a, named := strings.Cut(s, "@")
	return validName(n) && (!named || validName(a))
}

func validName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// AutoApproves reports whether the auto-approve rules approve d.
func (s *Store) AutoApproves(d Draft) bool {
	_, ok := s.auto.Match(d)
	return ok
}

// stamp formats a time for audit lines.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Get returns a post with its audit trail.
func (s *Store) Get(ctx context.Context, id string) (Post, error) {
	pipe := s.rdb.Pipeline()
	h := pipe.HGetAll(ctx, s.k.post(id))
	a := pipe.LRange(ctx, s.k.audit(id), 0, -1)
	if _, err := pipe.Exec(ctx); err != nil {
		return Post{}, fmt.Errorf("content: unable to get post %s: %w", id, err)
	}
	p, ok := postFromHash(h.Val())
	if !ok {
		return Post{}, fmt.Errorf("content: post %q: %w", id, ErrNotFound)
	}
	for _, line := range a.Val() {
		var l AuditLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			return Post{}, fmt.Errorf("content: post %s: bad audit line: %w", id, err)
		}
		p.Audit = append(p.Audit, l.Change)
	}
	return p, nil
}

// load reads posts (without audit trails) in the order of ids, skipping ids
// whose hash is gone.
func (s *Store) load(ctx context.Context, ids []string) ([]Post, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HGetAll(ctx, s.k.post(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("content: unable to load posts: %w", err)
	}
	posts := make([]Post, 0, len(ids))
	for _, c := range cmds {
		if p, ok := postFromHash(c.Val()); ok {
			posts = append(posts, p)
		}
	}
	return posts, nil
}

// List returns posts newest first (by creation; by entry into the state when
// filtered by state alone or state and network), with the total matching.
func (s *Store) List(ctx context.Context, o ListOptions) ([]Post, int, error) {
	limit := o.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	offset := max(o.Offset, 0)
	if o.State != "" && !slices.Contains(States, o.State) {
		return nil, 0, &FieldError{Field: "state", Message: fmt.Sprintf("unknown state %q", o.State)}
	}
	if o.Kind != "" && !slices.Contains(Kinds, o.Kind) {
		return nil, 0, &FieldError{Field: "kind", Message: fmt.Sprintf("unknown kind %q", o.Kind)}
	}
	// Pick the narrowest index; filters it does not cover are applied by reading
	// the candidates' fields (group and campaign indexes are small).
	var idx string
	covered := ListOptions{}
	switch {
	case o.GroupID != "":
		idx, covered.GroupID = s.k.group(o.GroupID), o.GroupID
	case o.CampaignID != "":
		idx, covered.CampaignID = s.k.campaign(o.CampaignID), o.CampaignID
	case o.State != "" && o.Network != "":
		idx, covered.State, covered.Network = s.k.stateNetwork(o.State, o.Network), o.State, o.Network
	case o.State != "":
		idx, covered.State = s.k.state(o.State), o.State
	case o.Network != "":
		idx, covered.Network = s.k.network(o.Network), o.Network
	default:
		idx = s.k.all()
	}
	// Kind, language and milestone family have no index: they are always
	// read from the candidates.
	filter := o.State != covered.State || o.Network != covered.Network ||
		o.CampaignID != covered.CampaignID || o.GroupID != covered.GroupID ||
		o.Kind != "" || o.Lang != "" || o.Family != ""

	if !filter {
		pipe := s.rdb.Pipeline()
		total := pipe.ZCard(ctx, idx)
		ids := pipe.ZRevRange(ctx, idx, int64(offset), int64(offset+limit-1))
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, 0, fmt.Errorf("content: unable to list posts: %w", err)
		}
		posts, err := s.load(ctx, ids.Val())
		return posts, int(total.Val()), err
	}

	ids, err := s.rdb.ZRevRange(ctx, idx, 0, -1).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("content: unable to list posts: %w", err)
	}
	pipe := s.rdb.Pipeline()
	cmds := make([]*redis.SliceCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.HMGet(ctx, s.k.post(id), "state", "network", "campaign_id", "group_id", "kind", "lang", "milestone")
	}
	if len(ids) > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return nil, 0, fmt.Errorf("content: unable to list posts: %w", err)
		}
	}
	var match []string
	for i, c := range cmds {
		f := c.Val()
		str := func(j int) string { v, _ := f[j].(string); return v }
		family, _, _ := strings.Cut(str(6), ":")
		if (o.State == "" || str(0) == string(o.State)) && (o.Network == "" || str(1) == o.Network) &&
			(o.CampaignID == "" || str(2) == o.CampaignID || covered.CampaignID != "") &&
			(o.GroupID == "" || str(3) == o.GroupID || covered.GroupID != "") &&
			(o.Kind == "" || str(4) == string(o.Kind)) && (o.Lang == "" || str(5) == o.Lang) &&
			(o.Family == "" || (str(6) != "" && family == o.Family)) {
			match = append(match, ids[i])
		}
	}
	total := len(match)
	if offset >= total {
		return nil, total, nil
	}
	posts, err := s.load(ctx, match[offset:min(offset+limit, total)])
	return posts, total, err
}

// Counts returns how many posts are in each state.
func (s *Store) Counts(ctx context.Context) (map[State]int, error) {
	pipe := s.rdb.Pipeline()
	cmds := make(map[State]*redis.IntCmd, len(States))
	for _, st := range States {
		cmds[st] = pipe.ZCard(ctx, s.k.state(st))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("content: unable to count posts: %w", err)
	}
	out := make(map[State]int, len(States))
	for st, c := range cmds {
		out[st] = int(c.Val())
	}
	return out, nil
}

// AuditLog lists the newest changes across all posts (at most 10,000 are kept).
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditLine, error) {
	if limit <= 0 {
		limit = 100
	}
	raw, err := s.rdb.LRange(ctx, s.k.auditLog(), 0, int64(limit-1)).Result()
	if err != nil {
		return nil, fmt.Errorf("content: unable to read audit log: %w", err)
	}
	out := make([]AuditLine, 0, len(raw))
	for _, line := range raw {
		var l AuditLine
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			return nil, fmt.Errorf("content: bad audit line: %w", err)
		}
		out = append(out, l)
	}
	return out, nil
}

// sortForSlots orders posts the way scarce slots are given: priority (lower
// first), then slot, then age.
func sortForSlots(posts []Post) {
	slices.SortStableFunc(posts, func(a, b Post) int {
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), a.ScheduledAt.Compare(b.ScheduledAt),
			a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
}
