// Package webhook receives campaign snapshots pushed by the platform:
// POST /hooks/campaigns, signed with a shared secret (DESIGN.md "Webhook").
//
// A delivery is checked in this order, each failure answering with
// {"error":{"code","message","field"}}:
//
//	405 method_not_allowed      not POST
//	503 not_configured          no secret configured: nothing can be verified
//	415 unsupported_media_type  Content-Type is not application/json
//	401 missing_signature       no Fanfare-Signature header
//	401 bad_signature           malformed header (checked before the body is read)
//	413 body_too_large          over Options.MaxBody
//	401 bad_signature           no v1 matches the body with any secret
//	401 timestamp_out_of_range  t further than Options.Tolerance from now
//	400 unreadable_body         the body could not be read (client hung up)
//	400 invalid_json            not JSON, or trailing data
//	400 invalid_field           a field is unknown, repeated, mistyped or invalid ("field" names it)
//	500 replay_check_failed     Redis could not say whether the delivery was seen before
//	202                         {"accepted":0,"stale":0,"fired":0,"replayed":true}: this signed
//	                            delivery was already received; nothing is ingested
//	500 ingest_failed           the tracker could not store the snapshots
//	400 invalid_field           the tracker refused every snapshot (e.g. updated_at in the future)
//	202                         {"accepted":N,"stale":N,"fired":N[,"rejected":[{"id","field","message"}]]}
//
// Replaying a delivery changes nothing (DESIGN.md): with Options.Redis set,
// each signed delivery ("<t>.<body>") is remembered for twice the timestamp
// tolerance and a second copy is answered without being ingested. This
// matters because a campaign object may lack updated_at: the tracker then
// stamps the receipt time, and an old snapshot replayed after a newer one
// would otherwise count as newer. A delivery that could not be stored is
// forgotten again, so the sender's retry is not lost. Without Redis only the
// tracker's own checks apply (snapshots not newer than the stored one are
// ignored, each milestone fires once).
package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/internal/keyspace"
)

// Defaults for Options.
const (
	DefaultMaxBody   = 1 << 20
	DefaultTolerance = 300 * time.Second
	// ingestTimeout bounds the tracker's work on one delivery.
	ingestTimeout = 15 * time.Second
)

// Options configures the handler.
type Options struct {
	// Secrets are the shared secrets a signature may use; list the new one
	// beside the old one while senders rotate. Empty strings are ignored.
	Secrets   []string
	Ingester  campaigns.Ingester // required
	Now       func() time.Time   // default time.Now
	Logger    *slog.Logger       // default slog.Default()
	MaxBody   int64              // bytes; default DefaultMaxBody
	Tolerance time.Duration      // allowed |now - t|; default DefaultTolerance
	// Redis remembers recent deliveries so a replay changes nothing (see the
	// package doc); nil leaves replays to the tracker's own checks.
	Redis  redis.UniversalClient
	Prefix string // key prefix (redis.prefix); default "fanfare"
}

type handler struct {
	secrets   []string
	ing       campaigns.Ingester
	now       func() time.Time
	log       *slog.Logger
	maxBody   int64
	tolerance time.Duration
	replays   *replayCache // nil: no replay cache
}

// NewHandler returns the handler for POST /hooks/campaigns. With no secret
// configured it refuses every delivery with 503: an unsigned webhook would let
// anyone announce anything on the platform's accounts.
func NewHandler(o Options) http.Handler {
	if o.Ingester == nil {
		panic("webhook: NewHandler without an Ingester")
	}
	h := &handler{
		ing:       o.Ingester,
		now:       o.Now,
		log:       o.Logger,
		maxBody:   o.MaxBody,
		tolerance: o.Tolerance,
	}
	for _, s := range o.Secrets {
		if s != "" {
			h.secrets = append(h.secrets, s)
		}
	}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.Default()
	}
	if h.maxBody <= 0 {
		h.maxBody = DefaultMaxBody
	}
	if h.tolerance <= 0 {
		h.tolerance = DefaultTolerance
	}
	if o.Redis != nil {
		prefix := o.Prefix
		if err := keyspace.Check(prefix); err != nil {
			panic("webhook: " + err.Error())
		}
		// A timestamp is accepted from tolerance before to tolerance after
		// it: that whole span must be covered.
		h.replays = &replayCache{rdb: o.Redis, prefix: prefix, ttl: 2*h.tolerance + replayMargin}
	}
	if len(h.secrets) == 0 {
		h.log.Info("campaign webhook disabled: set campaigns.webhook.secrets to accept POST /hooks/campaigns (deliveries get 503 until then)")
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	log := h.log.With("remote_addr", r.RemoteAddr)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST", "")
		return
	}
	if len(h.secrets) == 0 {
		writeError(w, http.StatusServiceUnavailable, "not_configured", "the webhook has no secret configured", "")
		return
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Content-Type must be application/json, got "+quoteOrNone(r.Header.Get("Content-Type")), "")
		return
	}
	// A delivery without a usable header is refused before its body is read.
	sig, err := parseSignature(r.Header.Get(SignatureHeader))
	if err != nil {
		h.refuse(w, log, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, "body_too_large",
				"body is over the limit of "+itoa(mbe.Limit)+" bytes", "")
			return
		}
		log.Warn("webhook: unable to read body", "err", err)
		writeError(w, http.StatusBadRequest, "unreadable_body", "unable to read the body: "+err.Error(), "")
		return
	}
	if err := verify(sig, body, h.secrets, h.now(), h.tolerance); err != nil {
		h.refuse(w, log, err)
		return
	}
	snaps, batch, err := parseBody(body)
	if err != nil {
		if fe, ok := errors.AsType[*campaigns.FieldError](err); ok {
			log.Info("webhook: invalid campaign", "field", fe.Field, "err", fe.Message)
			writeError(w, http.StatusBadRequest, "invalid_field", joinMessage(fe.Field, fe.Message), fe.Field)
			return
		}
		writeError(w, http.StatusBadRequest, "invalid_json", "body is not valid JSON: "+err.Error(), "")
		return
	}
	// A verified delivery is stored even if the sender hangs up meanwhile:
	// it would otherwise retry, and the work is already paid for.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), ingestTimeout)
	defer cancel()
	digest := ""
	if h.replays != nil {
		digest = deliveryDigest(sig.ts, body)
		st, err := h.replays.begin(ctx, digest)
		if err != nil {
			log.Error("webhook: unable to check for a replay", "err", err)
			writeError(w, http.StatusInternalServerError, "replay_check_failed", "unable to check the delivery; retry later", "")
			return
		}
		if st == deliveryPending {
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusConflict, "in_progress", "this delivery is being processed; retry later", "")
			return
		}
		if st == deliveryDone {
			log.Warn("webhook: replayed delivery ignored", "campaigns", len(snaps), "t", sig.ts)
			writeJSON(w, http.StatusAccepted, Response{Replayed: true})
			return
		}
	}
	res, err := h.ing.Ingest(ctx, snaps)
	if err != nil {
		h.forget(ctx, log, digest)
		log.Error("webhook: unable to ingest campaigns", "campaigns", len(snaps), "err", err)
		writeError(w, http.StatusInternalServerError, "ingest_failed", "unable to store the campaigns; retry later", "")
		return
	}
	resp := Response{Accepted: res.Accepted, Stale: res.Stale, Fired: len(res.Fired), Rejected: rejections(snaps, res.Rejected, batch)}
	if len(resp.Rejected) > 0 && len(resp.Rejected) == len(snaps) {
		// Nothing was stored: a plain 400 the sender can act on. The same
		// bytes sent again (once an updated_at in the future is no longer
		// so) must be judged again, not taken for a replay.
		h.forget(ctx, log, digest)
		first := resp.Rejected[0]
		log.Info("webhook: tracker refused every campaign", "field", first.Field, "err", first.Message)
		writeError(w, http.StatusBadRequest, "invalid_field", joinMessage(first.Field, first.Message), first.Field)
		return
	}
	if h.replays != nil {
		if err := h.replays.done(ctx, digest); err != nil {
			log.Error("webhook: unable to mark a delivery done", "err", err)
		}
	}
	log.Info("webhook: delivery accepted", "campaigns", len(snaps), "accepted", res.Accepted,
		"stale", res.Stale, "fired", len(res.Fired), "rejected", len(resp.Rejected))
	writeJSON(w, http.StatusAccepted, resp)
}

// forget drops a delivery from the replay cache after nothing was stored.
func (h *handler) forget(ctx context.Context, log *slog.Logger, digest string) {
	if h.replays == nil || digest == "" {
		return
	}
	// The ingest may have used up its context: the delete gets its own.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := h.replays.forget(ctx, digest); err != nil {
		// The sender's retry of these bytes will be taken for a replay until
		// the key expires; a re-signed retry (new t) still goes through.
		log.Error("webhook: unable to forget a failed delivery", "err", err)
	}
}

// rejections turns the tracker's refusals into the response's, with the JSON
// path of the field as in a 400 (campaign ids are unique within a delivery).
func rejections(snaps []campaigns.Campaign, rs []campaigns.Rejection, batch bool) []Rejected {
	if len(rs) == 0 {
		return nil
	}
	index := make(map[string]int, len(snaps))
	for i, c := range snaps {
		index[c.ID] = i
	}
	out := make([]Rejected, 0, len(rs))
	for _, r := range rs {
		prefix := ""
		if batch {
			prefix = fmt.Sprintf("campaigns[%d]", index[r.ID])
		}
		rj := Rejected{ID: r.ID, Field: prefix, Message: fmt.Sprint(r.Err)}
		if fe, ok := errors.AsType[*campaigns.FieldError](r.Err); ok {
			rj.Field, rj.Message = join(prefix, fe.Field), fe.Message
		}
		out = append(out, rj)
	}
	return out
}

func joinMessage(field, msg string) string {
	if field == "" {
		return msg
	}
	return field + ": " + msg
}

// refuse answers 401 for a signature problem, saying which.
func (h *handler) refuse(w http.ResponseWriter, log *slog.Logger, err error) {
	code := "bad_signature"
	if ae, ok := errors.AsType[*authError](err); ok {
		code = ae.Code
	}
	log.Warn("webhook: refused delivery", "code", code, "err", err)
	writeError(w, http.StatusUnauthorized, code, err.Error(), "")
}

// Response is the 202 body.
type Response struct {
	Accepted int `json:"accepted"` // snapshots stored
	Stale    int `json:"stale"`    // not newer than the stored one: ignored
	Fired    int `json:"fired"`    // milestones that will be posted
	// Rejected lists snapshots the tracker refused (an updated_at too far in
	// the future, say) while storing the others. When it refuses all of
	// them the answer is a 400 instead.
	Rejected []Rejected `json:"rejected,omitempty"`
	// Replayed: this signed delivery had already been received; nothing
	// was ingested (the counts are zero).
	Replayed bool `json:"replayed,omitempty"`
}

// Rejected is one snapshot refused by the tracker.
type Rejected struct {
	ID      string `json:"id"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// ErrorBody is the body of every refusal.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong; Field is the JSON path of the culprit.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func writeError(w http.ResponseWriter, status int, code, msg, field string) {
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: code, Message: msg, Field: field}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client hung up: nothing to do
}

// isJSON accepts application/json and application/*+json, with parameters.
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

func quoteOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return `"` + s + `"`
}
