package mastodon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/fanfarehq/fanfare/bots"
)

// Account is the authenticated account.
type Account struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Acct     string `json:"acct"`
	URL      string `json:"url"`
}

// Status is a status as Mastodon returns it. Content is HTML: see PlainText.
type Status struct {
	ID               string    `json:"id"`
	URI              string    `json:"uri"`
	URL              string    `json:"url"`
	CreatedAt        time.Time `json:"created_at"`
	Content          string    `json:"content"`
	Visibility       string    `json:"visibility"`
	Language         string    `json:"language"`
	FavouritesCount  int64     `json:"favourites_count"`
	ReblogsCount     int64     `json:"reblogs_count"`
	RepliesCount     int64     `json:"replies_count"`
	Reblog           *Status   `json:"reblog"`
	MediaAttachments []struct {
		ID string `json:"id"`
	} `json:"media_attachments"`
}

// NewStatus is what PostStatus sends.
type NewStatus struct {
	Status     string   `json:"status"`
	MediaIDs   []string `json:"media_ids,omitempty"`
	Language   string   `json:"language,omitempty"`
	Visibility string   `json:"visibility,omitempty"` // default public
	// IdempotencyKey is sent as the Idempotency-Key header: the instance
	// answers a repeat within an hour with the first status.
	IdempotencyKey string `json:"-"`
}

// IdempotencyKey is the key a post's status is created with: derived from
// the post id alone, so every attempt at the same post sends the same key.
func IdempotencyKey(postID string) string {
	if postID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("fanfare:post:" + postID))
	return "fanfare-" + hex.EncodeToString(sum[:16])
}

// PostStatus creates a status.
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#create
func (c *Client) PostStatus(ctx context.Context, s NewStatus) (Status, error) {
	const op = "create status"
	if strings.TrimSpace(s.Status) == "" && len(s.MediaIDs) == 0 {
		return Status{}, invalid(op, "the text is empty")
	}
	if s.Visibility == "" {
		s.Visibility = "public"
	}
	r := request{Op: op, Endpoint: "POST /api/v1/statuses", Method: http.MethodPost, Path: "/api/v1/statuses", Body: s}
	if s.IdempotencyKey != "" {
		r.Header = map[string]string{"Idempotency-Key": s.IdempotencyKey}
	}
	var out Status
	if _, err := c.do(ctx, r, &out); err != nil {
		return Status{}, err
	}
	if out.ID == "" {
		return Status{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to " + op + ": the answer has no status id"}
	}
	return out, nil
}

// GetStatus reads one status; found is false when the instance does not know
// it (any more).
//
// Specs: https://docs.joinmastodon.org/methods/statuses/#get
func (c *Client) GetStatus(ctx context.Context, id string) (st Status, found bool, err error) {
	if !validID(id) {
		return Status{}, false, invalid("read status", fmt.Sprintf("invalid id %q", id))
	}
	r := request{Op: "read status", Endpoint: "GET /api/v1/statuses/:id", Method: http.MethodGet, Path: "/api/v1/statuses/" + url.PathEscape(id)}
	if _, err := c.do(ctx, r, &st); err != nil {
		if e, ok := err.(*bots.Error); ok && e.Status == http.StatusNotFound {
			return Status{}, false, nil
		}
		return Status{}, false, err
	}
	return st, true, nil
}

// VerifyCredentials returns the token's account, and caches it.
//
// Specs: https://docs.joinmastodon.org/methods/accounts/#verify_credentials
func (c *Client) VerifyCredentials(ctx context.Context) (Account, error) {
	var out Account
	r := request{Op: "verify credentials", Endpoint: "GET /api/v1/accounts/verify_credentials", Method: http.MethodGet, Path: "/api/v1/accounts/verify_credentials"}
	if _, err := c.do(ctx, r, &out); err != nil {
		return Account{}, err
	}
	if out.ID == "" {
		return Account{}, &bots.Error{Network: Network, Kind: bots.KindAmbiguous, Message: "unable to verify credentials: the answer has no account id"}
	}
	c.mu.Lock()
	c.account = &out
	c.mu.Unlock()
	return out, nil
}

// Account returns the token's account, asked once.
func (c *Client) Account(ctx context.Context) (Account, error) {
	c.mu.Lock()
	a := c.account
	c.mu.Unlock()
	if a != nil {
		return *a, nil
	}
	return c.VerifyCredentials(ctx)
}

// maxStatusesPage is Mastodon's largest page of account statuses.
const maxStatusesPage = 40

// AccountStatuses lists the account's latest statuses, newest first, without
// boosts; limit is clamped to 1..40 (one page).
//
// Specs: https://docs.joinmastodon.org/methods/accounts/#statuses
func (c *Client) AccountStatuses(ctx context.Context, accountID string, limit int) ([]Status, error) {
	if !validID(accountID) {
		return nil, invalid("list statuses", fmt.Sprintf("invalid account id %q", accountID))
	}
	q := url.Values{"limit": {strconv.Itoa(min(maxStatusesPage, max(1, limit)))}, "exclude_reblogs": {"true"}}
	var out []Status
	r := request{Op: "list statuses", Endpoint: "GET /api/v1/accounts/:id/statuses", Method: http.MethodGet,
		Path: "/api/v1/accounts/" + url.PathEscape(accountID) + "/statuses", Query: q}
	if _, err := c.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// instanceTTL is how long an instance's limits are trusted: admins change
// them rarely.
const instanceTTL = 6 * time.Hour

// Limits returns the instance's text and media limits from GET
// /api/v2/instance (cached for 6 hours). An instance without the v2
// endpoint (404: old versions, some forks) gets DefaultLimits; other errors
// are returned, with DefaultLimits, so that a caller may go on.
//
// Specs: https://docs.joinmastodon.org/methods/instance/#v2
func (c *Client) Limits(ctx context.Context) (Limits, error) {
	c.mu.Lock()
	if c.instance != nil && c.now().Sub(c.fetchedAt) < instanceTTL {
		l := *c.instance
		c.mu.Unlock()
		return l, nil
	}
	c.mu.Unlock()
	var out struct {
		Configuration struct {
			Statuses struct {
				MaxCharacters            int `json:"max_characters"`
				MaxMediaAttachments      int `json:"max_media_attachments"`
				CharactersReservedPerURL int `json:"characters_reserved_per_url"`
			} `json:"statuses"`
			MediaAttachments struct {
				ImageSizeLimit int64 `json:"image_size_limit"`
			} `json:"media_attachments"`
		} `json:"configuration"`
	}
	r := request{Op: "read instance limits", Endpoint: "GET /api/v2/instance", Method: http.MethodGet, Path: "/api/v2/instance"}
	l := DefaultLimits
	if _, err := c.do(ctx, r, &out); err != nil {
		if e, ok := err.(*bots.Error); !ok || e.Status != http.StatusNotFound {
			return DefaultLimits, err
		}
		c.log.InfoContext(ctx, "mastodon: the instance has no /api/v2/instance, using default limits")
	} else {
		cfg := out.Configuration
		l = Limits{
			MaxCharacters:            cfg.Statuses.MaxCharacters,
			CharactersReservedPerURL: cfg.Statuses.CharactersReservedPerURL,
			MaxMediaAttachments:      cfg.Statuses.MaxMediaAttachments,
			ImageSizeLimit:           cfg.MediaAttachments.ImageSizeLimit,
		}.withDefaults()
	}
	c.mu.Lock()
	c.instance, c.fetchedAt = &l, c.now()
	c.mu.Unlock()
	return l, nil
}
