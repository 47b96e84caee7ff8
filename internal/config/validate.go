package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/fanfarehq/fanfare/internal/cronspec"
	"github.com/fanfarehq/fanfare/internal/redisconn"
)

var (
	hexSHA256   = regexp.MustCompile(`^[0-9a-fA-F]{64}$`)
	clock       = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	apiVersion  = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)
	prefixChars = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)
	accountName = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)
	digits      = regexp.MustCompile(`^[0-9]{1,32}$`)
	appPassword = regexp.MustCompile(`^[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}-[a-z0-9]{4}$`)
)

// Validate reports every bad value, each with its key and line: the checks
// of this package's own, then the Rules' checks.
func (l *Loaded) Validate() Errors {
	var errs Errors
	bad := func(key, format string, args ...any) {
		errs = append(errs, l.Errorf(key, format, args...))
	}
	checkZone := func(key, tz string) {
		if tz == "" {
			return
		}
		if _, err := time.LoadLocation(tz); err != nil {
			bad(key, "%q is not an IANA time zone such as Europe/Paris or UTC", tz)
		}
	}
	c := &l.Config

	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		bad("timezone", "%q is not an IANA time zone such as Europe/Paris", c.Timezone)
	}
	if n := strings.TrimSpace(c.Platform.Name); n == "" || len(n) > 100 || strings.ContainsAny(n, "\r\n") {
		bad("platform.name", "%q must be a name of 1 to 100 characters on one line", c.Platform.Name)
	}
	if !slices.Contains([]string{"text", "json"}, c.Log.Format) {
		bad("log.format", "%q is not text or json", c.Log.Format)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		bad("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}

	if c.Redis.URL != "" {
		if _, err := redisconn.ParseURL(c.Redis.URL); err != nil {
			bad("redis.url", "%s", strings.TrimPrefix(err.Error(), "redisconn: redis.url"))
		}
	}
	if !prefixChars.MatchString(c.Redis.Prefix) {
		bad("redis.prefix", "%q must be 1 to 64 letters, digits, '_', '.' or '-'", c.Redis.Prefix)
	}
	if n := c.Redis.ClaimReplicas; n < 0 || n > 16 {
		bad("redis.claim_replicas", "must be from 0 (no wait) to 16 replicas, got %d", n)
	} else if n > 0 && c.Redis.URL == "" {
		bad("redis.claim_replicas", "needs redis.url: the embedded store has no replicas")
	}
	if d := c.Redis.ClaimReplicaWait; d != 0 && (d < 10*time.Millisecond || d > 10*time.Second) {
		bad("redis.claim_replica_wait", "%v is not between 10ms and 10s", d)
	}

	if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		bad("http.listen", "%q is not host:port (e.g. 127.0.0.1:8080)", c.HTTP.Listen)
	}
	if c.HTTP.PublicURL != "" {
		if err := checkHTTPURL(c.HTTP.PublicURL); err != nil {
			bad("http.public_url", "%v", err)
		}
	}
	for i, p := range c.HTTP.TrustedProxies {
		if _, err := parsePrefix(p); err != nil {
			bad(fmt.Sprintf("http.trusted_proxies[%d]", i), "%q is not an address or a CIDR such as 127.0.0.1/32 or 10.0.0.0/8", p)
		}
	}
	seen := map[string]bool{}
	for i, t := range c.HTTP.APITokens {
		key := fmt.Sprintf("http.api_tokens[%d]", i)
		if strings.TrimSpace(t.Name) == "" {
			bad(key+".name", "is required")
		} else if seen[t.Name] {
			bad(key+".name", "%q is used twice", t.Name)
		}
		seen[t.Name] = true
		if !hexSHA256.MatchString(t.SHA256) {
			bad(key+".sha256", "must be the 64 hex digits of the token's SHA-256 (printf %%s TOKEN | sha256sum)")
		}
		if len(t.Scopes) == 0 {
			// Absent, so located at its token.
			errs = append(errs, &Error{File: l.File, Line: l.Line(key), Key: key + ".scopes",
				Msg: "is required: read, write (includes read) or admin (includes write)"})
		}
		for j, sc := range t.Scopes {
			if sc != "read" && sc != "write" && sc != "admin" {
				bad(fmt.Sprintf("%s.scopes[%d]", key, j), "%q is not read, write or admin", sc)
			}
		}
	}

	seen = map[string]bool{}
	for i, u := range c.Dashboard.Users {
		key := fmt.Sprintf("dashboard.users[%d]", i)
		if strings.TrimSpace(u.Name) == "" {
			bad(key+".name", "is required")
		} else if seen[u.Name] {
			bad(key+".name", "%q is used twice", u.Name)
		}
		seen[u.Name] = true
		if u.Role != "manager" && u.Role != "viewer" {
			bad(key+".role", "%q is not manager or viewer", u.Role)
		}
	}

	if d := c.Dashboard.SessionLifetime; d < 5*time.Minute || d > 90*24*time.Hour {
		bad("dashboard.session_lifetime", "%v is not between 5m and 2160h (90 days)", d)
	}
	if d := c.Dashboard.SessionIdleTimeout; d < time.Minute || d > c.Dashboard.SessionLifetime {
		bad("dashboard.session_idle_timeout", "%v is not between 1m and dashboard.session_lifetime (%v)", d, c.Dashboard.SessionLifetime)
	}

	for i, s := range c.Campaigns.Webhook.Secrets {
		if s != "" && len(s) < 16 {
			bad(fmt.Sprintf("campaigns.webhook.secrets[%d]", i), "is shorter than 16 characters")
		}
	}
	if p := c.Campaigns.Poll; p.URL != "" {
		if err := checkHTTPURL(p.URL); err != nil {
			bad("campaigns.poll.url", "%v", err)
		}
		if p.NextPath != "" && p.PageParam != "" {
			bad("campaigns.poll.page_param", "set next_path or page_param, not both")
		}
		if p.Timeout <= 0 {
			bad("campaigns.poll.timeout", "must be a positive duration such as 20s")
		}
		if p.MaxPages <= 0 {
			bad("campaigns.poll.max_pages", "must be at least 1")
		}
		checkZone("campaigns.poll.source_timezone", p.SourceTimezone)
	}
	checkZone("campaigns.import.source_timezone", c.Campaigns.Import.SourceTimezone)

	checkLimits := func(key string, lim Limits) {
		if lim.DailyCap < 0 {
			bad(key+".daily_cap", "must be 0 (no cap) or more, got %d", lim.DailyCap)
		}
		if lim.MinSpacing < 0 {
			bad(key+".min_spacing", "must not be negative")
		}
		if lim.CampaignSpacing < 0 {
			bad(key+".campaign_spacing", "must not be negative")
		}
	}
	if err := checkHTTPURL(c.Networks.X.APIBaseURL); err != nil {
		bad("networks.x.api_base_url", "%v", err)
	}
	checkLimits("networks.x", c.Networks.X.Limits)
	if err := checkHTTPURL(c.Networks.Facebook.GraphBaseURL); err != nil {
		bad("networks.facebook.graph_base_url", "%v", err)
	}
	if !apiVersion.MatchString(c.Networks.Facebook.APIVersion) {
		bad("networks.facebook.api_version", "%q is not a Graph API version such as v21.0", c.Networks.Facebook.APIVersion)
	}
	checkLimits("networks.facebook", c.Networks.Facebook.Limits)
	checkQuiet := func(key string, q *QuietHours) {
		if q == nil {
			return
		}
		if !clock.MatchString(q.Start) {
			bad(key+".start", "%q is not a time of day such as 22:00", q.Start)
		}
		if !clock.MatchString(q.End) {
			bad(key+".end", "%q is not a time of day such as 08:00", q.End)
		}
	}
	checkRoute := func(key string, r Route) {
		for j, lang := range r.Langs {
			if _, err := language.Parse(lang); err != nil || lang != strings.ToLower(lang) {
				bad(fmt.Sprintf("%s.route.langs[%d]", key, j), "%q is not a lower-case language code such as fr", lang)
			}
		}
		for j, cat := range r.Categories {
			if strings.TrimSpace(cat) == "" {
				bad(fmt.Sprintf("%s.route.categories[%d]", key, j), "is empty")
			}
		}
	}
	checkAccounts := func(key string, accounts []Account, network Limits) {
		seen := map[string]bool{}
		for i, a := range accounts {
			k := fmt.Sprintf("%s[%d]", key, i)
			switch {
			case a.Name != "" && !accountName.MatchString(a.Name):
				bad(k+".name", "%q must be 1 to 32 lower-case letters, digits, '_' or '-' (it names the channel, e.g. x@platform_fr)", a.Name)
			case seen[a.Name] && a.Name == "":
				bad(k, "has no name: only one account of a network may go without one")
			case seen[a.Name]:
				bad(k+".name", "%q names two accounts", a.Name)
			}
			seen[a.Name] = true
			checkRoute(k, a.Route)
			checkLimits(k, a.LimitsOver(network))
			checkQuiet(k+".quiet_hours", a.QuietHours)
		}
	}
	var xAccounts, fbPages []Account
	for _, a := range c.Networks.X.Accounts {
		xAccounts = append(xAccounts, a.Account)
	}
	for _, p := range c.Networks.Facebook.Pages {
		fbPages = append(fbPages, p.Account)
	}
	checkAccounts("networks.x.accounts", xAccounts, c.Networks.X.Limits)
	checkAccounts("networks.facebook.pages", fbPages, c.Networks.Facebook.Limits)
	for i, a := range c.Networks.X.Accounts {
		if a.APIBaseURL != "" {
			if err := checkHTTPURL(a.APIBaseURL); err != nil {
				bad(fmt.Sprintf("networks.x.accounts[%d].api_base_url", i), "%v", err)
			}
		}
	}
	for i, p := range c.Networks.Facebook.Pages {
		if p.PageID != "" && !digits.MatchString(p.PageID) {
			bad(fmt.Sprintf("networks.facebook.pages[%d].page_id", i), "%q is not a Page id (digits)", p.PageID)
		}
	}

	ig := c.Networks.Instagram
	if err := checkHTTPURL(ig.GraphBaseURL); err != nil {
		bad("networks.instagram.graph_base_url", "%v", err)
	}
	if !apiVersion.MatchString(ig.APIVersion) {
		bad("networks.instagram.api_version", "%q is not a Graph API version such as v21.0", ig.APIVersion)
	}
	if ig.IGUserID != "" && !digits.MatchString(ig.IGUserID) {
		bad("networks.instagram.ig_user_id", "%q is not an Instagram user id (digits: the Page's instagram_business_account)", ig.IGUserID)
	}
	checkRoute("networks.instagram", ig.Route)
	checkLimits("networks.instagram", ig.Limits)
	md := c.Networks.Mastodon
	if md.BaseURL != "" {
		if err := checkHTTPURL(md.BaseURL); err != nil {
			bad("networks.mastodon.base_url", "%v", err)
		}
	}
	if md.Enabled && md.AccessToken != "" && md.BaseURL == "" {
		bad("networks.mastodon.base_url", "is required with an access_token: the instance, e.g. https://mastodon.social")
	}
	checkRoute("networks.mastodon", md.Route)
	checkLimits("networks.mastodon", md.Limits)
	bs := c.Networks.Bluesky
	if err := checkHTTPURL(bs.PDSURL); err != nil {
		bad("networks.bluesky.pds_url", "%v", err)
	}
	if bs.AppPassword != "" && !appPassword.MatchString(bs.AppPassword) {
		bad("networks.bluesky.app_password", "is not an app password (xxxx-xxxx-xxxx-xxxx): create one in Settings, Privacy and security, App passwords; never use the account's password")
	}
	checkRoute("networks.bluesky", bs.Route)
	checkLimits("networks.bluesky", bs.Limits)

	for key, spec := range map[string]string{
		"schedule.poll": c.Schedule.Poll, "schedule.publish": c.Schedule.Publish,
		"schedule.feeds": c.Schedule.Feeds, "schedule.stories": c.Schedule.Stories,
		"schedule.reconcile": c.Schedule.Reconcile, "schedule.engagement": c.Schedule.Engagement,
	} {
		if _, err := cronspec.Parse(spec); err != nil {
			bad(key, "%v", err)
		}
	}
	if d := c.Schedule.PublishLease; d < 30*time.Second || d > 30*time.Minute {
		bad("schedule.publish_lease", "%v is not between 30s and 30m", d)
	}
	if d := c.Schedule.LockLease; d < 3*time.Second || d > 5*time.Minute {
		bad("schedule.lock_lease", "%v is not between 3s and 5m", d)
	}
	if q := c.Schedule.QuietHours; q != nil {
		if !clock.MatchString(q.Start) {
			bad("schedule.quiet_hours.start", "%q is not a time of day such as 22:00", q.Start)
		}
		if !clock.MatchString(q.End) {
			bad("schedule.quiet_hours.end", "%q is not a time of day such as 08:00", q.End)
		}
		if q.Start == q.End && q.Start != "" {
			bad("schedule.quiet_hours", "start and end are both %s: remove the block for no quiet hours", q.Start)
		}
	}

	if c.Approval.MergeWindow < 0 {
		bad("approval.merge_window", "must not be negative (0s never merges)")
	}
	if sh := c.Links.Shortener; sh != "" && sh != ShortenerFirstParty && sh != ShortenerOff {
		bad("links.shortener", "%q is not first_party or off", sh)
	}
	if d := c.Content.TemplatesDir; d != "" {
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			bad("content.templates_dir", "%q is not a readable folder", d)
		}
	}

	seen = map[string]bool{}
	for i, f := range c.Feeds.List {
		key := c.Feeds.Key(i)
		if err := checkHTTPURL(f.URL); err != nil {
			bad(key+".url", "%v", err)
		} else if seen[f.URL] {
			bad(key+".url", "%q is listed twice", f.URL)
		}
		seen[f.URL] = true
		if f.Schedule != "" {
			if _, err := cronspec.Parse(f.Schedule); err != nil {
				bad(key+".schedule", "%v", err)
			}
		}
		if f.Lang != "" {
			if _, err := language.Parse(f.Lang); err != nil {
				bad(key+".lang", "%q is not a language tag such as fr", f.Lang)
			}
		}
	}
	if l.rules.Check != nil {
		errs = append(errs, l.rules.Check(l)...)
	}
	return errs
}

func checkHTTPURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return nil
}

// Location is the platform's time zone (validated).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}
