package impact

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// pledgeKeep is how long a reported pledge's id is remembered, so that a
// pledge reported twice counts once.
const pledgeKeep = 400 * 24 * time.Hour

// attribute counts one reported pledge for a post, once per pledge id.
//
// KEYS[1]: the pledge's key; KEYS[2]: the post's attributed pledges hash
// ARGV[1]: the post id; ARGV[2]: the amount's field (amount:<currency>);
// ARGV[3]: the amount in minor units; ARGV[4]: how long to remember the
// pledge (ms)
// Returns 1 when counted, 0 for a pledge already counted.
var attribute = redis.NewScript(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[4]) == false then return 0 end
redis.call('HINCRBY', KEYS[2], 'pledges', 1)
if ARGV[3] ~= '0' then redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3]) end
return 1
`)

// Pledge is one pledge the platform reports with the utm_content its visit
// carried: the id of the post that brought it.
type Pledge struct {
	ID         string `json:"id"`
	UTMContent string `json:"utm_content"`
	Amount     int64  `json:"amount"`   // minor units
	Currency   string `json:"currency"` // ISO 4217
	At         string `json:"at,omitempty"`
}

// Attributed is what the platform said a post brought.
type Attributed struct {
	Pledges int64            `json:"pledges"`
	Amounts map[string]int64 `json:"amounts"` // currency -> minor units
}

var (
	pledgeIDRE = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Attribute counts one reported pledge for the post that brought it, once
// per pledge id however often the platform reports it (for 400 days). It
// reports whether this call counted it.
func (l *Links) Attribute(ctx context.Context, p Pledge, postID string) (bool, error) {
	n, err := attribute.Run(ctx, l.rdb, []string{l.k.pledge(p.ID), l.k.pledges(postID)},
		postID, "amount:"+p.Currency, strconv.FormatInt(p.Amount, 10), pledgeKeep.Milliseconds()).Int()
	if err != nil {
		return false, fmt.Errorf("impact: unable to count pledge %s for post %s: %w", p.ID, postID, err)
	}
	return n == 1, nil
}

// ParsePledges reads one pledge or {"pledges":[...]}, strictly: the field
// of the first problem is named ("pledges[2].amount").
func ParsePledges(body []byte) ([]Pledge, string, error) {
	trimmed := bytes.TrimSpace(body)
	var list struct {
		Pledges []Pledge `json:"pledges"`
	}
	var one Pledge
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	prefix := "pledges"
	if bytes.Contains(trimmed[:min(len(trimmed), 64)], []byte(`"pledges"`)) {
		if err := dec.Decode(&list); err != nil {
			return nil, "", fmt.Errorf("impact: body is not {\"pledges\":[...]}: %w", err)
		}
	} else {
		if err := dec.Decode(&one); err != nil {
			return nil, "", fmt.Errorf("impact: body is not a pledge: %w", err)
		}
		list.Pledges, prefix = []Pledge{one}, ""
	}
	for i, p := range list.Pledges {
		at := fmt.Sprintf("%s[%d].", prefix, i)
		if prefix == "" {
			at = ""
		}
		switch {
		case !pledgeIDRE.MatchString(p.ID):
			return nil, at + "id", fmt.Errorf("%sid %q must be 1 to 128 letters, digits, . _ : -", at, p.ID)
		case strings.TrimSpace(p.UTMContent) == "":
			return nil, at + "utm_content", fmt.Errorf("%sutm_content is empty: it names the post the visit came from", at)
		case p.Amount < 0:
			return nil, at + "amount", fmt.Errorf("%samount %d is negative", at, p.Amount)
		case p.Amount > 0 && !currencyRE.MatchString(p.Currency):
			return nil, at + "currency", fmt.Errorf("%scurrency %q is not an ISO 4217 code", at, p.Currency)
		}
		if p.At != "" {
			if _, err := time.Parse(time.RFC3339, p.At); err != nil {
				return nil, at + "at", fmt.Errorf("%sat %q is not an RFC 3339 time", at, p.At)
			}
		}
	}
	return list.Pledges, "", nil
}

// Attributed reads the pledges the platform attributed to posts.
func (l *Links) Attributed(ctx context.Context, postIDs []string) (map[string]Attributed, error) {
	out := make(map[string]Attributed, len(postIDs))
	if len(postIDs) == 0 {
		return out, nil
	}
	pipe := l.rdb.Pipeline()
	cmds := make([]*redis.MapStringStringCmd, len(postIDs))
	for i, id := range postIDs {
		cmds[i] = pipe.HGetAll(ctx, l.k.pledges(id))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, fmt.Errorf("impact: unable to read attributed pledges: %w", err)
	}
	for i, c := range cmds {
		a := Attributed{Amounts: map[string]int64{}}
		for f, v := range c.Val() {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("impact: corrupt attributed pledges of post %s", postIDs[i])
			}
			if cur, ok := strings.CutPrefix(f, "amount:"); ok {
				a.Amounts[cur] = n
			} else if f == "pledges" {
				a.Pledges = n
			}
		}
		out[postIDs[i]] = a
	}
	return out, nil
}
