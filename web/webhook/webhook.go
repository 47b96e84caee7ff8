// Package webhook receives campaign snapshots pushed by the platform:
// POST /hooks/campaigns, signed with a shared secret (DESIGN.md "Webhook").
//
// A delivery is checked in this order, each failure answering with
// {"error":{"code","message","field"}}:
//
//	405 method_not_allowed      not POST
//	503 not_configured          no secret configured: nothing can be verified
//	429 too_many_refusals       this address had refusalLimit refusals in the last
//	                            window (Retry-After: the window's end); not logged
//	415 unsupported_media_type  Content-Type is not application/json
//	401 missing_signature       no Fanfare-Signature header
//	401 bad_signature           malformed header (checked before the body is read)
//	401 timestamp_out_of_range  t further than Options.Tolerance from now (checked
//	                            before the body is read)
//	413 body_too_large          over Options.MaxBody
//	401 bad_signature           no v1 matches the body with any secret
//	400 unreadable_body         the body could not be read (client hung up)
//	400 invalid_json            not JSON, or trailing data
//	400 invalid_field           the body is not a campaign or {"campaigns":[...]} ("field" names the culprit)
//	503 replay_check_failed     Redis could not say whether the delivery was seen
//	                            before (Retry-After: the sender retries, nothing is lost)
//	202                         {"accepted":0,"stale":0,"fired":0,"replayed":true}: this signed
//	                            delivery was already received; nothing is ingested
//	503 ingest_failed           the tracker could not store the snapshots (Retry-After)
//	400 invalid_field           every campaign was rejected, by the parser or the tracker: "error"
//	                            names the first, "rejected" lists them all
//	202                         {"accepted":N,"stale":N,"fired":N[,"rejected":[{"id","field","message"}]]
//	                            [,"unposted":[{"campaign_id","milestone"}]]}: unposted are the
//	                            milestones over the cap of posts per delivery, recorded
//	                            without a post (and reported in the source health)
//
// Each campaign of a batch is judged on its own: one with a bad field (an X
// handle that is not one, a float for money, an unknown key) or an id that
// appears twice in the delivery is listed under "rejected" with the JSON path
// of the field and why, and the others are stored. The answer is 202 as long
// as one campaign was taken; when none was, it is a 400, since the sender
// must fix something before sending again, and its body still lists every
// rejected campaign.
//
// Every signed delivery is recorded in the source health (Options.Health)
// under "webhook": one that could not be read or stored, or whose campaigns
// were all rejected, shows on the dashboard's banner, in the API and in
// /metrics.
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
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/internal/clientip"
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
	// Health records each signed delivery (source "webhook"); nil records
	// nothing.
	Health campaigns.HealthRecorder
	// ClientIP says who posts (the reverse proxies to believe), for the
	// limits on refusals; the zero value takes the connection's address.
	ClientIP clientip.Resolver
}

// storageRetryAfter is what a sender is told to wait when storage is away:
// the daemon is ready again as soon as Redis answers.
const storageRetryAfter = "5"

type handler struct {
	secrets   []string
	ing       campaigns.Ingester
	now       func() time.Time
	log       *slog.Logger
	maxBody   int64
	tolerance time.Duration
	replays   *replayCache // nil: no replay cache
	health    campaigns.HealthRecorder
	clientIP  clientip.Resolver
	refusals  refusals
}

// NewHandler returns the handler for POST /hooks/campaigns. With no secret
// configured it refuses every delivery with 503: an unsigned webhook would let
// anyone announce anything on the platform's accounts. Options it cannot work
// with (no Ingester, a prefix Redis keys cannot carry) are an error.
func NewHandler(o Options) (http.Handler, error) {
	if o.Ingester == nil {
		return nil, errors.New("webhook: no Ingester")
	}
	h := &handler{
		secrets:   usableSecrets(o.Secrets),
		ing:       o.Ingester,
		now:       o.Now,
		log:       o.Logger,
		maxBody:   o.MaxBody,
		tolerance: o.Tolerance,
		health:    o.Health,
		clientIP:  o.ClientIP,
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
			return nil, fmt.Errorf("webhook: %w", err)
		}
		// A timestamp is accepted from tolerance before to tolerance after
		// it: that whole span must be covered.
		h.replays = &replayCache{rdb: o.Redis, prefix: prefix, ttl: 2*h.tolerance + replayMargin}
	}
	if len(h.secrets) == 0 {
		h.log.Info("campaign webhook disabled: set campaigns.webhook.secrets to accept POST /hooks/campaigns (deliveries get 503 until then)")
	}
	return h, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	addr := h.clientIP.LimitKey(r)
	log := h.log.With("remote_addr", h.clientIP.String(r))
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "use POST", "")
		return
	}
	if len(h.secrets) == 0 {
		writeError(w, http.StatusServiceUnavailable, "not_configured", "the webhook has no secret configured", "")
		return
	}
	if blocked, retry := h.refusals.blocked(addr, h.now()); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int((retry+time.Second-1)/time.Second))))
		writeError(w, http.StatusTooManyRequests, "too_many_refusals", "too many refused deliveries from this address; retry later", "")
		return
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		h.refuseWith(w, log, addr, http.StatusUnsupportedMediaType, "unsupported_media_type",
			"Content-Type must be application/json, got "+quoteOrNone(r.Header.Get("Content-Type")))
		return
	}
	// A delivery without a usable header, or with a timestamp out of
	// range, is refused before its body is read.
	sig, err := parseSignature(r.Header.Get(SignatureHeader))
	if err == nil {
		err = checkTimestamp(sig, h.now(), h.tolerance)
	}
	if err != nil {
		h.refuse(w, log, addr, err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.maxBody))
	if err != nil {
		if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
			h.refuseWith(w, log, addr, http.StatusRequestEntityTooLarge, "body_too_large",
				"body is over the limit of "+itoa(mbe.Limit)+" bytes")
			return
		}
		log.Warn("webhook: unable to read body", "error", err)
		writeError(w, http.StatusBadRequest, "unreadable_body", "unable to read the body: "+err.Error(), "")
		return
	}
	if err := verify(sig, body, h.secrets, h.now(), h.tolerance); err != nil {
		h.refuse(w, log, addr, err)
		return
	}
	at := h.now()
	d, err := ParseDelivery(body)
	if err != nil {
		if fe, ok := errors.AsType[*campaigns.FieldError](err); ok {
			log.Info("webhook: invalid body", "field", fe.Field, "error", fe.Message)
			h.record(r.Context(), log, campaigns.SourceRun{At: at, Error: "invalid body: " + joinMessage(fe.Field, fe.Message)})
			writeError(w, http.StatusBadRequest, "invalid_field", joinMessage(fe.Field, fe.Message), fe.Field)
			return
		}
		h.record(r.Context(), log, campaigns.SourceRun{At: at, Error: "body is not valid JSON: " + err.Error()})
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
			log.Error("webhook: unable to check for a replay", "error", err)
			w.Header().Set("Retry-After", storageRetryAfter)
			writeError(w, http.StatusServiceUnavailable, "replay_check_failed", "storage unavailable: unable to check the delivery; retry later", "")
			return
		}
		if st == deliveryPending {
			w.Header().Set("Retry-After", "5")
			writeError(w, http.StatusConflict, "in_progress", "this delivery is being processed; retry later", "")
			return
		}
		if st == deliveryDone {
			log.Warn("webhook: replayed delivery ignored", "campaigns", d.Total, "t", sig.ts)
			writeJSON(w, http.StatusAccepted, Response{Replayed: true})
			return
		}
	}
	resp := Response{Rejected: d.Rejected}
	if len(d.Campaigns) > 0 {
		res, err := h.ing.Ingest(ctx, d.Campaigns)
		if err != nil {
			h.forget(ctx, log, digest)
			log.Error("webhook: unable to ingest campaigns", "campaigns", len(d.Campaigns), "error", err)
			h.record(ctx, log, campaigns.SourceRun{At: at, Records: d.Total, Error: "unable to store the campaigns: " + err.Error()})
			w.Header().Set("Retry-After", storageRetryAfter)
			writeError(w, http.StatusServiceUnavailable, "ingest_failed", "storage unavailable: unable to store the campaigns; retry later", "")
			return
		}
		resp.Accepted, resp.Stale, resp.Fired = res.Accepted, res.Stale, len(res.Fired)
		for _, e := range res.Unposted {
			resp.Unposted = append(resp.Unposted, Unposted{CampaignID: e.Campaign.ID, Milestone: string(e.Milestone)})
		}
		resp.Rejected = append(resp.Rejected, trackerRejections(d, res.Rejected)...)
		slices.SortStableFunc(resp.Rejected, func(a, b Rejected) int { return cmp.Compare(a.index, b.index) })
	}
	run := campaigns.SourceRun{At: at, Records: d.Total, Accepted: resp.Accepted + resp.Stale}
	if len(resp.Unposted) > 0 {
		run.Error = campaigns.UnpostedProblem(len(resp.Unposted))
	}
	for _, rj := range resp.Rejected {
		log.Info("webhook: campaign rejected", "campaign_id", rj.ID, "field", rj.Field, "error", rj.Message)
		run.Reject(campaigns.SourceRejection{Where: rejectedWhere(d.Batch, rj.index), ID: rj.ID, Field: rj.Field, Message: rj.Message})
	}
	h.record(ctx, log, run)
	if resp.Accepted+resp.Stale == 0 && len(resp.Rejected) > 0 {
		// Nothing was stored: a 400 the sender can act on. The same bytes
		// sent again (once an updated_at in the future is no longer so)
		// must be judged again, not taken for a replay.
		h.forget(ctx, log, digest)
		first := resp.Rejected[0]
		writeJSON(w, http.StatusBadRequest, ErrorBody{
			Error:    ErrorDetail{Code: "invalid_field", Message: joinMessage(first.Field, first.Message), Field: first.Field},
			Rejected: resp.Rejected,
		})
		return
	}
	if h.replays != nil {
		if err := h.replays.done(ctx, digest); err != nil {
			log.Error("webhook: unable to mark a delivery done", "error", err)
		}
	}
	log.Info("webhook: delivery accepted", "campaigns", d.Total, "accepted", resp.Accepted,
		"stale", resp.Stale, "fired", resp.Fired, "unposted", len(resp.Unposted), "rejected", len(resp.Rejected))
	writeJSON(w, http.StatusAccepted, resp)
}

// record adds a delivery to the source health; a failure to do so is logged,
// never the sender's problem.
func (h *handler) record(ctx context.Context, log *slog.Logger, run campaigns.SourceRun) {
	if h.health == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := h.health.RecordRun(ctx, campaigns.SourceWebhook, run); err != nil {
		log.Error("webhook: unable to record source health", "error", err)
	}
}

func rejectedWhere(batch bool, i int) string {
	if batch {
		return fmt.Sprintf("campaigns[%d]", i)
	}
	return "campaign"
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
		log.Error("webhook: unable to forget a failed delivery", "error", err)
	}
}

// trackerRejections turns the tracker's refusals into the response's, with
// the JSON path of the field (campaign ids are unique among the campaigns
// handed to the tracker: duplicates were rejected before).
func trackerRejections(d Delivery, rs []campaigns.Rejection) []Rejected {
	if len(rs) == 0 {
		return nil
	}
	index := make(map[string]int, len(d.Campaigns))
	for k, c := range d.Campaigns {
		index[c.ID] = d.Index[k]
	}
	out := make([]Rejected, 0, len(rs))
	for _, r := range rs {
		i := index[r.ID]
		prefix := ""
		if d.Batch {
			prefix = fmt.Sprintf("campaigns[%d]", i)
		}
		rj := Rejected{ID: r.ID, Field: prefix, Message: fmt.Sprint(r.Err), index: i}
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
func (h *handler) refuse(w http.ResponseWriter, log *slog.Logger, addr string, err error) {
	code := "bad_signature"
	if ae, ok := errors.AsType[*authError](err); ok {
		code = ae.Code
	}
	h.refuseWith(w, log, addr, http.StatusUnauthorized, code, err.Error())
}

// refuseWith answers a refusal and counts it against the address: its
// refusals are logged until the limit, which is logged once; the next
// deliveries from there get 429 until the window ends (see refusals).
func (h *handler) refuseWith(w http.ResponseWriter, log *slog.Logger, addr string, status int, code, msg string) {
	switch n := h.refusals.add(addr, h.now()); {
	case n < refusalLimit:
		log.Warn("webhook: refused delivery", "code", code, "error", msg)
	case n == refusalLimit:
		log.Warn("webhook: refused delivery; further deliveries from this address get 429 without a log line until the window ends",
			"code", code, "error", msg, "refusals", n, "window", refusalWindow.String())
	}
	writeError(w, status, code, msg, "")
}

// Response is the 202 body.
type Response struct {
	Accepted int `json:"accepted"` // snapshots stored
	Stale    int `json:"stale"`    // not newer than the stored one: ignored
	Fired    int `json:"fired"`    // milestones that will be posted
	// Rejected lists the campaigns refused (a bad field, an id sent twice,
	// an updated_at too far in the future) while the others were stored.
	// When every one is refused the answer is a 400 instead, with the same
	// list.
	Rejected []Rejected `json:"rejected,omitempty"`
	// Replayed: this signed delivery had already been received; nothing
	// was ingested (the counts are zero).
	Replayed bool `json:"replayed,omitempty"`
	// Unposted lists the milestones past the cap of posts one delivery may
	// create (campaigns.max_posts_per_delivery): recorded as reached,
	// without a post.
	Unposted []Unposted `json:"unposted,omitempty"`
}

// Unposted is a milestone reached but not posted: over the delivery's cap.
type Unposted struct {
	CampaignID string `json:"campaign_id"`
	Milestone  string `json:"milestone"`
}

// Rejected is one campaign refused: its id (when it had one), the JSON path
// of the field at fault, and why.
type Rejected struct {
	ID      string `json:"id"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
	index   int    // position in the delivery
}

// ErrorBody is the body of every refusal. Rejected lists every campaign of a
// delivery whose campaigns were all rejected.
type ErrorBody struct {
	Error    ErrorDetail `json:"error"`
	Rejected []Rejected  `json:"rejected,omitempty"`
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
