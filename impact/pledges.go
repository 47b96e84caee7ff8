package impact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/content"
	"github.com/fanfarehq/fanfare/web/webhook"
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

// PledgeHookOptions configure the POST /hooks/pledges handler.
type PledgeHookOptions struct {
	// Secrets are the campaign webhook's (campaigns.webhook.secrets): the
	// platform signs both hooks alike. None: every delivery gets 503.
	Secrets []string
	// Posts finds the post a pledge names (its utm_content).
	Posts interface {
		Get(ctx context.Context, id string) (content.Post, error)
	}
	Now    func() time.Time
	Logger *slog.Logger
}

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
	pledgeIDRE  = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,128}$`)
	currencyRE  = regexp.MustCompile(`^[A-Z]{3}$`)
	maxPledgeIn = int64(1 << 20)
)

// PledgeHook returns the handler of POST /hooks/pledges. The body is one
// pledge or {"pledges":[...]}; the answer is 202 with how many were counted,
// already counted (a retry), and not ours (a utm_content that names no post),
// or 400 naming the first bad field, 401 for a bad signature (as the
// campaign webhook), 413 over 1 MiB.
func (l *Links) PledgeHook(o PledgeHookOptions) http.Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	log := o.Logger.With("component", "pledge_hook")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hasSecret(o.Secrets) {
			hookError(w, http.StatusServiceUnavailable, "not_configured", "set campaigns.webhook.secrets to accept pledges", "")
			return
		}
		sig := r.Header.Get(webhook.SignatureHeader)
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPledgeIn))
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			hookError(w, http.StatusRequestEntityTooLarge, "body_too_large", "body is larger than 1 MiB", "")
			return
		case err != nil:
			hookError(w, http.StatusBadRequest, "unreadable_body", "unable to read the body", "")
			return
		}
		if err := webhook.Verify(sig, body, o.Secrets, o.Now(), 0); err != nil {
			hookError(w, http.StatusUnauthorized, webhook.SignatureErrorCode(err), err.Error(), "")
			return
		}
		pledges, field, err := parsePledges(body)
		if err != nil {
			hookError(w, http.StatusBadRequest, "invalid_field", err.Error(), field)
			return
		}
		res := struct {
			Counted   int `json:"counted"`
			Duplicate int `json:"duplicate"`
			Unmatched int `json:"unmatched"`
		}{}
		for _, p := range pledges {
			post, err := o.Posts.Get(r.Context(), p.UTMContent)
			if errors.Is(err, content.ErrNotFound) {
				res.Unmatched++
				continue
			}
			if err != nil {
				log.Error("unable to read the post of a pledge", "post_id", p.UTMContent, "error", err)
				hookError(w, http.StatusInternalServerError, "store_failed", "unable to read posts: send again", "")
				return
			}
			n, err := attribute.Run(r.Context(), l.rdb, []string{l.k.pledge(p.ID), l.k.pledges(post.ID)},
				post.ID, "amount:"+p.Currency, strconv.FormatInt(p.Amount, 10), pledgeKeep.Milliseconds()).Int()
			if err != nil {
				log.Error("unable to count an attributed pledge", "post_id", post.ID, "error", err)
				hookError(w, http.StatusInternalServerError, "store_failed", "unable to count pledges: send again (pledges are counted once)", "")
				return
			}
			if n == 1 {
				res.Counted++
			} else {
				res.Duplicate++
			}
		}
		log.Info("attributed pledges received", "counted", res.Counted, "duplicate", res.Duplicate, "unmatched", res.Unmatched)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_ = json.NewEncoder(w).Encode(res)
	})
}

func hasSecret(ss []string) bool {
	for _, s := range ss {
		if s != "" {
			return true
		}
	}
	return false
}

// parsePledges reads one pledge or {"pledges":[...]}, strictly: the field
// of the first problem is named ("pledges[2].amount").
func parsePledges(body []byte) ([]Pledge, string, error) {
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

func hookError(w http.ResponseWriter, status int, code, msg, field string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	e := map[string]string{"code": code, "message": msg}
	if field != "" {
		e["field"] = field
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
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
