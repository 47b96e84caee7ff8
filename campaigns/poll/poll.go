// Package poll reads a crowdfunding platform's JSON campaign listing on a
// schedule and hands the campaigns to the tracker. A mapping.Mapping in the
// config says where each field is, so a Ulule-style or Kickstarter-style
// listing (or any other JSON) is read without code.
//
// Pages follow a next-page URL in the body (Options.NextPath) or a page
// number parameter (Options.PageParam). Each page is fetched conditionally
// (If-None-Match / If-Modified-Since from the previous poll): a 304 means
// nothing to do for that page. A record that does not map is logged and
// reported with its page, index and field, and does not hold back the others;
// two records of one page with the same id are both refused (which one is
// right cannot be told). A mapped path that matches no record of a page is an
// error of the poll, not a page of rejections: the listing changed shape, or
// the mapping is wrong.
//
// Every poll is recorded in the source health (Options.Health) under
// "poll": the dashboard's banner, the API and /metrics show a poll that
// fails, or that rejects every record.
//
// Mapped snapshots carry UpdatedAt only when the mapping has an updated_at
// path; otherwise the tracker stamps them with the time of receipt.
package poll

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
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fanfarehq/fanfare/campaigns"
	"github.com/fanfarehq/fanfare/campaigns/mapping"
)

// Defaults for Options.
const (
	DefaultTimeout  = 30 * time.Second
	DefaultMaxPages = 50
	// maxPageBytes bounds one page: a listing page is kilobytes, and a
	// runaway answer must not take the daemon's memory.
	maxPageBytes = 32 << 20
)

// Options configures a Poller.
type Options struct {
	URL     string            // first page, absolute http(s)
	Headers map[string]string // sent on every request (e.g. Authorization); never logged
	// ItemsPath is the dotted path of the array of records in a page
	// ("projects", "data.campaigns"); empty when the page is the array.
	ItemsPath string
	// NextPath is the dotted path of the next page's URL (absolute or
	// relative); absent, null or "" ends the listing.
	NextPath string
	// PageParam is the query parameter of a page number (1, 2, ...); the
	// listing ends at a page with no records. Set NextPath or PageParam, or
	// neither for a single page.
	PageParam string
	Mapping   mapping.Mapping
	// Location is the listing's time zone (source_timezone): times without
	// a zone are read in it, and a date alone as the end of that day for a
	// deadline. Default UTC.
	Location *time.Location
	// Health records each poll (source "poll"); nil records nothing.
	Health     campaigns.HealthRecorder
	Timeout    time.Duration // per request; default DefaultTimeout
	MaxPages   int           // default DefaultMaxPages
	Now        func() time.Time
	Logger     *slog.Logger
	HTTPClient *http.Client
}

// RecordError is a record that did not make a campaign.
type RecordError struct {
	Page    int    `json:"page"`  // 1-based
	Index   int    `json:"index"` // 0-based, within the page
	ID      string `json:"id,omitempty"`
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e RecordError) Error() string {
	return fmt.Sprintf("page %d record %d (id %q): %s: %s", e.Page, e.Index, e.ID, e.Field, e.Message)
}

// Report says what one Poll did.
type Report struct {
	Pages       int           // pages fetched, 304s included
	Records     int           // records read from changed pages
	Accepted    int           // taken by the tracker (stale ones included)
	Stale       int           // not newer than what the tracker has
	Fired       int           // milestones that will be posted
	Skipped     int           // records whose state is in the mapping's skip_states
	Unposted    int           // milestones over the cap of posts per poll, recorded without a post
	Rejected    []RecordError // records that did not map or validate, or that the tracker refused
	NotModified bool          // every page answered 304
}

// Run is the report as a source health run.
func (r Report) Run(at time.Time, err error) campaigns.SourceRun {
	run := campaigns.SourceRun{At: at, Records: r.Records, Accepted: r.Accepted, Skipped: r.Skipped}
	for _, re := range r.Rejected {
		run.Reject(campaigns.SourceRejection{Where: fmt.Sprintf("page %d record %d", re.Page, re.Index), ID: re.ID, Field: re.Field, Message: re.Message})
	}
	if err != nil {
		run.Error = err.Error()
	} else if r.Unposted > 0 {
		run.Error = campaigns.UnpostedProblem(r.Unposted)
	}
	return run
}

// Poller polls one listing. Its conditional-request state lives in memory: a
// restart fetches everything once, which the tracker absorbs (stale snapshots
// change nothing).
type Poller struct {
	o      Options
	ing    campaigns.Ingester
	mapper *mapping.Mapper

	mu    sync.Mutex // one Poll at a time; guards cache
	cache map[string]validators
}

// validators remember a page for the next conditional request.
type validators struct {
	etag, lastModified string
	next               string // the page after it, which a 304 does not tell
}

// NewPoller checks the options and returns a poller.
func NewPoller(o Options, ing campaigns.Ingester) (*Poller, error) {
	u, err := url.Parse(o.URL)
	switch {
	case ing == nil:
		return nil, errors.New("poll: no ingester")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return nil, fmt.Errorf("poll: url %q is not an absolute http(s) URL", o.URL)
	case o.NextPath != "" && o.PageParam != "":
		return nil, errors.New("poll: set next_path or page_param, not both")
	case o.Timeout < 0 || o.MaxPages < 0:
		return nil, errors.New("poll: timeout and max_pages must not be negative")
	}
	mapper, err := mapping.New(o.Mapping, o.Location)
	if err != nil {
		return nil, fmt.Errorf("poll: %w", err)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxPages == 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	return &Poller{o: o, ing: ing, mapper: mapper, cache: make(map[string]validators)}, nil
}

// Poll reads the listing once. It returns what it did so far along with an
// error when a page cannot be fetched or read, or the tracker fails; pages
// already ingested stay ingested.
func (p *Poller) Poll(ctx context.Context) (Report, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// One poll is one source run: its pages share the cap of posts.
	ctx = campaigns.ShareCap(ctx)
	var rep Report
	notModified := 0
	seen := make(map[string]bool)
	next := p.o.URL
	if p.o.PageParam != "" {
		next = withPage(p.o.URL, p.o.PageParam, 1)
	}
	for page := 1; next != "" && page <= p.o.MaxPages; page++ {
		if seen[next] {
			p.o.Logger.Warn("poll: listing loops back to a page already read", "url", safeURL(next))
			break
		}
		seen[next] = true
		rep.Pages++
		n, modified, err := p.page(ctx, page, next, &rep)
		if err != nil {
			return rep, err
		}
		if !modified {
			notModified++
		}
		next = n
	}
	if next != "" {
		p.o.Logger.Warn("poll: stopped at max_pages", "max_pages", p.o.MaxPages, "url", safeURL(p.o.URL))
	}
	rep.NotModified = rep.Pages > 0 && notModified == rep.Pages
	// Cursor-style next URLs change from poll to poll: forget pages the
	// listing no longer leads to, so the cache stays the listing's size.
	for u := range p.cache {
		if !seen[u] {
			delete(p.cache, u)
		}
	}
	return rep, nil
}

// Job returns the cron job that polls once, logs what it did and records it
// in the source health.
func (p *Poller) Job() func(ctx context.Context) error {
	return func(ctx context.Context) error {
		at := p.o.Now()
		rep, err := p.Poll(ctx)
		run := rep.Run(at, err)
		log := p.o.Logger.Info
		if run.Failed() {
			log = p.o.Logger.Warn
		}
		log("poll: done", "url", safeURL(p.o.URL), "pages", rep.Pages, "records", rep.Records,
			"accepted", rep.Accepted, "stale", rep.Stale, "fired", rep.Fired, "skipped", rep.Skipped,
			"rejected", len(rep.Rejected), "unposted", rep.Unposted, "not_modified", rep.NotModified, "problem", run.Problem())
		if p.o.Health != nil {
			// The health write must not be lost to a poll that used up ctx.
			hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if herr := p.o.Health.RecordRun(hctx, campaigns.SourcePoll, run); herr != nil {
				p.o.Logger.Error("poll: unable to record source health", "error", herr)
			}
			cancel()
		}
		return err
	}
}

// fetched is one page as the server answered it.
type fetched struct {
	notModified        bool
	doc                any
	etag, lastModified string
}

// fetch gets one page within the request timeout; validators from the last
// poll make it conditional.
func (p *Poller) fetch(ctx context.Context, pageURL string, cached validators, haveCache bool) (fetched, error) {
	ctx, cancel := context.WithTimeout(ctx, p.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, pageURL, nil)
	if err != nil {
		return fetched{}, fmt.Errorf("poll: unable to build request for %s: %w", safeURL(pageURL), err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "fanfare-poll/1")
	for k, v := range p.o.Headers {
		req.Header.Set(k, v)
	}
	if haveCache {
		if cached.etag != "" {
			req.Header.Set("If-None-Match", cached.etag)
		}
		if cached.lastModified != "" {
			req.Header.Set("If-Modified-Since", cached.lastModified)
		}
	}
	resp, err := p.o.HTTPClient.Do(req)
	if err != nil {
		return fetched{}, fmt.Errorf("poll: unable to fetch %s: %w", safeURL(pageURL), withoutURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && haveCache {
		return fetched{notModified: true}, nil
	}
	if resp.StatusCode != http.StatusOK {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		return fetched{}, fmt.Errorf("poll: %s answered %s: %q", safeURL(pageURL), resp.Status, strings.TrimSpace(string(snippet)))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPageBytes+1))
	if err != nil {
		return fetched{}, fmt.Errorf("poll: unable to read %s: %w", safeURL(pageURL), err)
	}
	if len(body) > maxPageBytes {
		return fetched{}, fmt.Errorf("poll: %s is over %d bytes", safeURL(pageURL), maxPageBytes)
	}
	doc, err := decodeJSON(body, resp.Header.Get("Content-Type"))
	if err != nil {
		return fetched{}, fmt.Errorf("poll: %s: %w", safeURL(pageURL), err)
	}
	return fetched{doc: doc, etag: resp.Header.Get("ETag"), lastModified: resp.Header.Get("Last-Modified")}, nil
}

// page fetches and ingests one page, returning the next page's URL.
func (p *Poller) page(ctx context.Context, page int, pageURL string, rep *Report) (next string, modified bool, err error) {
	cached, haveCache := p.cache[pageURL]
	f, err := p.fetch(ctx, pageURL, cached, haveCache)
	if err != nil {
		return "", false, err
	}
	if f.notModified {
		return cached.next, false, nil
	}
	items, err := itemsAt(f.doc, p.o.ItemsPath)
	if err != nil {
		return "", false, fmt.Errorf("poll: %s: %w", safeURL(pageURL), err)
	}
	next, err = p.nextURL(f.doc, pageURL, page, len(items))
	if err != nil {
		return "", false, fmt.Errorf("poll: %s: %w", safeURL(pageURL), err)
	}

	rep.Records += len(items)
	snaps, indexes, err := p.mapPage(page, pageURL, items, rep)
	if err != nil {
		return "", false, err
	}
	if len(snaps) > 0 {
		res, err := p.ing.Ingest(ctx, snaps)
		if err != nil {
			return "", false, fmt.Errorf("poll: unable to ingest %d campaigns from %s: %w", len(snaps), safeURL(pageURL), err)
		}
		rep.Accepted += res.Accepted + res.Stale
		rep.Stale += res.Stale
		rep.Fired += len(res.Fired)
		rep.Unposted += len(res.Unposted)
		for _, r := range res.Rejected {
			re := RecordError{Page: page, Index: indexOf(snaps, indexes, r.ID), ID: r.ID, Message: fmt.Sprint(r.Err)}
			if fe, ok := errors.AsType[*campaigns.FieldError](r.Err); ok {
				re.Field, re.Message = fe.Field, fe.Message
			}
			rep.Rejected = append(rep.Rejected, re)
		}
	}
	// Remember validators only once the page is in: a page whose ingest
	// failed must be fetched in full next time.
	if f.etag != "" || f.lastModified != "" {
		p.cache[pageURL] = validators{etag: f.etag, lastModified: f.lastModified, next: next}
	} else {
		delete(p.cache, pageURL)
	}
	return next, true, nil
}

// mapPage maps a page's records. Records that do not map are reported; two
// with one id are both refused; a path that matched no record at all is an
// error of the source, and nothing of the page is kept.
func (p *Poller) mapPage(page int, pageURL string, items []any, rep *Report) ([]campaigns.Campaign, []int, error) {
	now := p.o.Now()
	tally := p.mapper.NewTally()
	snaps := make([]campaigns.Campaign, 0, len(items))
	indexes := make([]int, 0, len(items)) // record index of each snapshot
	var rejected []RecordError
	for i, item := range items {
		c, err := p.mapper.Map(item, now, tally)
		if mapping.IsSkip(err) {
			rep.Skipped++
			continue
		}
		if err != nil {
			re := RecordError{Page: page, Index: i, ID: c.ID, Message: err.Error()}
			if fe, ok := errors.AsType[*campaigns.FieldError](err); ok {
				re.Field, re.Message = fe.Field, fe.Message
			}
			rejected = append(rejected, re)
			continue
		}
		snaps = append(snaps, c)
		indexes = append(indexes, i)
	}
	if err := tally.Err(); err != nil {
		rep.Rejected = append(rep.Rejected, rejected...)
		return nil, nil, fmt.Errorf("poll: %s page %d: %w", safeURL(pageURL), page, err)
	}
	snaps, indexes, dups := dropDuplicates(snaps, indexes, page)
	rejected = append(rejected, dups...)
	slices.SortFunc(rejected, func(a, b RecordError) int { return cmp.Compare(a.Index, b.Index) })
	for _, re := range rejected {
		p.o.Logger.Warn("poll: record rejected", "url", safeURL(pageURL), "page", page, "index", re.Index,
			"campaign_id", re.ID, "field", re.Field, "error", re.Message)
	}
	rep.Rejected = append(rep.Rejected, rejected...)
	return snaps, indexes, nil
}

// dropDuplicates refuses every snapshot whose id appears more than once on
// the page: the tracker would take the later one as newer, and nothing says
// it is.
func dropDuplicates(snaps []campaigns.Campaign, indexes []int, page int) ([]campaigns.Campaign, []int, []RecordError) {
	first := make(map[string]int, len(snaps))
	dup := map[string][]int(nil)
	for i, c := range snaps {
		if j, ok := first[c.ID]; ok {
			if dup == nil {
				dup = map[string][]int{}
			}
			if dup[c.ID] == nil {
				dup[c.ID] = []int{indexes[j]}
			}
			dup[c.ID] = append(dup[c.ID], indexes[i])
			continue
		}
		first[c.ID] = i
	}
	if dup == nil {
		return snaps, indexes, nil
	}
	var errs []RecordError
	keptSnaps, keptIdx := snaps[:0], indexes[:0]
	for i, c := range snaps {
		at, ok := dup[c.ID]
		if !ok {
			keptSnaps, keptIdx = append(keptSnaps, c), append(keptIdx, indexes[i])
			continue
		}
		others := make([]string, 0, len(at)-1)
		for _, x := range at {
			if x != indexes[i] {
				others = append(others, strconv.Itoa(x))
			}
		}
		errs = append(errs, RecordError{Page: page, Index: indexes[i], ID: c.ID, Field: "id",
			Message: fmt.Sprintf("%q also appears at record %s of this page: neither is stored", c.ID, strings.Join(others, ", "))})
	}
	return keptSnaps, keptIdx, errs
}

// indexOf finds the record index of the snapshot with id, -1 if none.
func indexOf(snaps []campaigns.Campaign, indexes []int, id string) int {
	for i, c := range snaps {
		if c.ID == id {
			return indexes[i]
		}
	}
	return -1
}

func (p *Poller) nextURL(doc any, pageURL string, page, records int) (string, error) {
	switch {
	case p.o.PageParam != "":
		if records == 0 {
			return "", nil
		}
		return withPage(p.o.URL, p.o.PageParam, page+1), nil
	case p.o.NextPath != "":
		raw, err := textAt(doc, p.o.NextPath)
		if err != nil {
			return "", fmt.Errorf("next page at %s (next_path) %w", p.o.NextPath, err)
		}
		if raw == "" {
			return "", nil
		}
		base, _ := url.Parse(pageURL)
		ref, err := url.Parse(raw)
		if err != nil {
			return "", fmt.Errorf("next page %q is not a URL", raw)
		}
		u := base.ResolveReference(ref)
		if u.Scheme != "http" && u.Scheme != "https" {
			return "", fmt.Errorf("next page %q is not an http(s) URL", raw)
		}
		return u.String(), nil
	}
	return "", nil
}

func withPage(raw, param string, n int) string {
	u, _ := url.Parse(raw) // checked by NewPoller
	q := u.Query()
	q.Set(param, strconv.Itoa(n))
	u.RawQuery = q.Encode()
	return u.String()
}

// decodeJSON refuses what is not JSON with the content type in the message:
// an HTML login page or error page is the usual surprise.
func decodeJSON(body []byte, contentType string) (any, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	isJSON := mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
	trimmed := strings.TrimLeft(string(body[:min(len(body), 64)]), " \t\r\n\ufeff")
	if !isJSON && (mt == "text/html" || strings.HasPrefix(trimmed, "<")) {
		return nil, fmt.Errorf("answered %s, not JSON (an error or login page?)", quoteType(contentType))
	}
	dec := json.NewDecoder(strings.NewReader(strings.TrimPrefix(string(body), "\ufeff")))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("answered %s that is not valid JSON: %v", quoteType(contentType), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("answered %s with data after the JSON value", quoteType(contentType))
	}
	return doc, nil
}

func quoteType(ct string) string {
	if ct == "" {
		return "no content type"
	}
	return strconv.Quote(ct)
}

func itemsAt(doc any, path string) ([]any, error) {
	v := doc
	if path != "" {
		v = valueAt(doc, path)
	}
	switch items := v.(type) {
	case []any:
		return items, nil
	case nil:
		if path == "" {
			return nil, errors.New("page is null, want an array of records")
		}
		return nil, fmt.Errorf("page has no %s array (items_path)", path)
	default:
		where := "page"
		if path != "" {
			where = path
		}
		return nil, fmt.Errorf("%s is %s, want an array of records (items_path)", where, mapping.KindOf(v))
	}
}

// safeURL is a listing URL fit for logs and errors: platforms often take an
// API key in the query, so query values and any password are masked.
func safeURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{"xxxxx"}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// withoutURL drops the URL net/http puts in its errors (the caller names the
// page with safeURL).
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	return err
}

// valueAt resolves a dotted path in a page (items_path, next_path); absent or
// null gives nil.
func valueAt(doc any, path string) any {
	v, _ := mapping.Lookup(doc, path)
	return v
}

// textAt reads text at a path: "" when absent or null.
func textAt(doc any, path string) (string, error) {
	switch v := valueAt(doc, path).(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		return "", fmt.Errorf("is %s, not a URL", mapping.KindOf(v))
	}
}
