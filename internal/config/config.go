// Package config reads Fanfare's YAML configuration once: ${VAR} expansion from
// the environment, defaults, unknown keys rejected and every bad value reported
// with its key and line. The rest of the program gets plain option structs from
// cmd/fanfare; nothing reads configuration globally.
//
// Config is plain data: this package imports none of Fanfare's parts. What a
// part knows about its own options (its defaults, the checks only it can
// make, the decoding of a campaign source's mapping) reaches Load as Rules,
// which cmd/fanfare assembles.
package config

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole file. Fields tagged secret:"true" are redacted whenever
// the configuration is printed, and must never be logged.
type Config struct {
	Timezone  string    `yaml:"timezone"`
	Platform  Platform  `yaml:"platform"`
	Log       Log       `yaml:"log"`
	Redis     Redis     `yaml:"redis"`
	HTTP      HTTP      `yaml:"http"`
	Dashboard Dashboard `yaml:"dashboard"`
	Campaigns Campaigns `yaml:"campaigns"`
	Networks  Networks  `yaml:"networks"`
	Schedule  Schedule  `yaml:"schedule"`
	Approval  Approval  `yaml:"approval"`
	Content   Content   `yaml:"content"`
	Feeds     Feeds     `yaml:"feeds"`
	Links     Links     `yaml:"links"`
}

// Links says how posts link to campaigns.
type Links struct {
	// Shortener is first_party (each post links to {public_url}/r/{code},
	// which counts its clicks) or off (posts carry the campaign URL with UTM
	// tags). Empty: first_party when http.public_url is set, else off.
	Shortener string `yaml:"shortener"`
}

// Shortener values.
const (
	ShortenerFirstParty = "first_party"
	ShortenerOff        = "off"
)

// ShortLinks reports whether posts get first-party short links.
func (l *Loaded) ShortLinks() bool {
	switch l.Links.Shortener {
	case ShortenerFirstParty:
		return true
	case "":
		return l.HTTP.PublicURL != ""
	}
	return false
}

// Platform is what Fanfare says of the platform it speaks for.
type Platform struct {
	// Name titles the public Atom feeds ("Ulule — news"); default "Fanfare".
	Name string `yaml:"name"`
}

type Log struct {
	Format string `yaml:"format"` // text or json
	Level  string `yaml:"level"`  // debug, info, warn, error
}

type Redis struct {
	URL    string `yaml:"url" secret:"true"` // may hold a password
	Prefix string `yaml:"prefix"`
	// ClaimReplicas is how many replicas must have a post's claim before it
	// is sent (Redis WAIT): 1 with Sentinel or a Cluster with replicas, so
	// that a failover cannot lose a claim and a post go out twice. 0: none.
	ClaimReplicas int `yaml:"claim_replicas"`
	// ClaimReplicaWait bounds that wait; past it the post is not sent and is
	// tried again a little later. 0: the store's default.
	ClaimReplicaWait time.Duration `yaml:"claim_replica_wait"`
}

type HTTP struct {
	Listen        string     `yaml:"listen"`
	PublicURL     string     `yaml:"public_url"`
	MetricsPublic bool       `yaml:"metrics_public"`
	APITokens     []APIToken `yaml:"api_tokens"`
	// TrustedProxies are the reverse proxies (CIDRs, or single addresses)
	// whose X-Forwarded-For is believed; none by default.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// TrustedPrefixes is TrustedProxies parsed (validated: bad entries are left
// out here and reported by Validate).
func (h HTTP) TrustedPrefixes() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range h.TrustedProxies {
		if p, err := parsePrefix(s); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// parsePrefix reads a CIDR or a single address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

type APIToken struct {
	Name   string `yaml:"name"`
	SHA256 string `yaml:"sha256" secret:"true"`
	// Scopes: read (the API's GETs, /metrics), write (posts: also create,
	// edit, approve, reject, retry, resolve), admin (also feeds and
	// networks). Each includes the ones before; required.
	Scopes []string `yaml:"scopes"`
}

type Dashboard struct {
	Users []User `yaml:"users"`
	// SessionLifetime ends a session this long after login, however busy.
	SessionLifetime time.Duration `yaml:"session_lifetime"`
	// SessionIdleTimeout ends a session unused this long.
	SessionIdleTimeout time.Duration `yaml:"session_idle_timeout"`
}

type User struct {
	Name         string `yaml:"name"`
	Role         string `yaml:"role"`
	PasswordHash string `yaml:"password_hash" secret:"true"`
}

type Campaigns struct {
	Webhook    Webhook    `yaml:"webhook"`
	Poll       Poll       `yaml:"poll"`
	Import     Import     `yaml:"import"`
	Milestones Milestones `yaml:"milestones"`
	// EndedTTL is how long an ended campaign's keys are kept.
	EndedTTL time.Duration `yaml:"ended_ttl"`
	// URLHosts, when set, are the only hosts a campaign URL may have
	// ("example.com", or "*.example.com" for any host below it).
	URLHosts []string `yaml:"url_hosts"`
	// CloseAfter closes a campaign still live this long after its deadline
	// with no final state from its platform (state ended, no post).
	CloseAfter time.Duration `yaml:"close_after"`
	// MaxPostsPerDelivery caps the milestones one webhook delivery, one poll
	// or one import batch turns into posts; the rest are recorded without a
	// post and reported.
	MaxPostsPerDelivery int `yaml:"max_posts_per_delivery"`
}

type Webhook struct {
	Secrets []string `yaml:"secrets" secret:"true"`
}

type Poll struct {
	// URL may carry an API key in its query: printed with query values masked.
	URL       string            `yaml:"url" secret:"query"`
	Preset    string            `yaml:"preset"` // ulule, kickstarter
	ItemsPath string            `yaml:"items_path"`
	NextPath  string            `yaml:"next_path"`
	PageParam string            `yaml:"page_param"`
	Headers   map[string]string `yaml:"headers" secret:"true"`
	Timeout   time.Duration     `yaml:"timeout"`
	MaxPages  int               `yaml:"max_pages"`
	// SourceTimezone is the listing's time zone for times without one
	// (IANA name); empty means timezone.
	SourceTimezone string `yaml:"source_timezone"`
	// Mapping says where our fields are in the listing's records. With a
	// preset, it overrides the preset's settings one by one. It stays YAML
	// here: the campaigns' mapping engine decodes and checks it (Rules).
	// The zero Node when the file has none.
	Mapping yaml.Node `yaml:"mapping"`
}

// Import is the defaults of `fanfare campaigns import` (its flags win).
type Import struct {
	Preset         string    `yaml:"preset"`
	Mapping        yaml.Node `yaml:"mapping"` // as Poll's
	SourceTimezone string    `yaml:"source_timezone"`
	ItemsPath      string    `yaml:"items_path"`
	RecordPath     string    `yaml:"record_path"`
}

// SourceLocation is a source's time zone: tz when set (validated), else the
// platform's.
func (c *Config) SourceLocation(tz string) *time.Location {
	if tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	return c.Location()
}

type Milestones struct {
	Percent []int64         `yaml:"percent"`
	Backers []int64         `yaml:"backers"`
	Ending  []time.Duration `yaml:"ending"`
}

type Networks struct {
	X         XNetwork         `yaml:"x"`
	Facebook  FacebookNetwork  `yaml:"facebook"`
	Instagram InstagramNetwork `yaml:"instagram"`
	Mastodon  MastodonNetwork  `yaml:"mastodon"`
	Bluesky   BlueskyNetwork   `yaml:"bluesky"`
}

// Limits are a network's publishing limits, and the hours it aims for.
type Limits struct {
	DailyCap        int           `yaml:"daily_cap"`
	MinSpacing      time.Duration `yaml:"min_spacing"`
	CampaignSpacing time.Duration `yaml:"campaign_spacing"`
	// GoodHours are windows like "08:00-10:00" in timezone where posts go
	// when they can wait for them; [] for none. The network's engagement
	// history replaces them once there is enough of it.
	GoodHours []string `yaml:"good_hours"`
}

type XNetwork struct {
	Enabled           bool   `yaml:"enabled"`
	APIBaseURL        string `yaml:"api_base_url"`
	ConsumerKey       string `yaml:"consumer_key" secret:"true"`
	ConsumerSecret    string `yaml:"consumer_secret" secret:"true"`
	AccessToken       string `yaml:"access_token" secret:"true"`
	AccessTokenSecret string `yaml:"access_token_secret" secret:"true"`
	Limits            `yaml:",inline"`
	// Accounts replace the single account above with several, each posting
	// about the campaigns its route takes; what an account leaves out it
	// takes from the network's keys (one X app's consumer key and secret,
	// the caps and spacings).
	Accounts []XAccount `yaml:"accounts"`
}

// XAccount is one X account: its own access token, caps and route.
type XAccount struct {
	Account `yaml:",inline"`
	// APIBaseURL is the network's unless set: an account may go through a
	// proxy of its own (and the tests give each account its own fake).
	APIBaseURL        string `yaml:"api_base_url"`
	ConsumerKey       string `yaml:"consumer_key" secret:"true"`
	ConsumerSecret    string `yaml:"consumer_secret" secret:"true"`
	AccessToken       string `yaml:"access_token" secret:"true"`
	AccessTokenSecret string `yaml:"access_token_secret" secret:"true"`
}

// Account is what every network account has besides its credentials: a
// name (the channel "x@<name>"; none for a network's one unnamed account,
// the channel "x"), a route, and limits of its own over the network's.
type Account struct {
	Name  string `yaml:"name"`
	Route Route  `yaml:"route"`
	// DailyCap, MinSpacing, CampaignSpacing and GoodHours override the
	// network's when set.
	DailyCap        *int           `yaml:"daily_cap"`
	MinSpacing      *time.Duration `yaml:"min_spacing"`
	CampaignSpacing *time.Duration `yaml:"campaign_spacing"`
	GoodHours       []string       `yaml:"good_hours"`
	// QuietHours are the account's own (an account for another time zone's
	// audience); none: schedule.quiet_hours.
	QuietHours *QuietHours `yaml:"quiet_hours"`
}

// Route says which campaigns an account posts about; an empty list takes
// every one.
type Route struct {
	Langs      []string `yaml:"langs"`      // campaign languages: fr, en
	Categories []string `yaml:"categories"` // campaign categories, as the platform names them
}

// LimitsOver is the account's limits: its own settings over the network's.
func (a Account) LimitsOver(n Limits) Limits {
	if a.DailyCap != nil {
		n.DailyCap = *a.DailyCap
	}
	if a.MinSpacing != nil {
		n.MinSpacing = *a.MinSpacing
	}
	if a.CampaignSpacing != nil {
		n.CampaignSpacing = *a.CampaignSpacing
	}
	if a.GoodHours != nil {
		n.GoodHours = a.GoodHours
	}
	return n
}

// XAccounts are X's accounts: the listed ones with the network's settings
// under theirs, or the network's single account.
func (x XNetwork) XAccounts() []XAccount {
	if len(x.Accounts) == 0 {
		return []XAccount{{APIBaseURL: x.APIBaseURL, ConsumerKey: x.ConsumerKey, ConsumerSecret: x.ConsumerSecret,
			AccessToken: x.AccessToken, AccessTokenSecret: x.AccessTokenSecret}}
	}
	out := slices.Clone(x.Accounts)
	for i := range out {
		a := &out[i]
		a.APIBaseURL = cmp.Or(a.APIBaseURL, x.APIBaseURL)
		a.ConsumerKey = cmp.Or(a.ConsumerKey, x.ConsumerKey)
		a.ConsumerSecret = cmp.Or(a.ConsumerSecret, x.ConsumerSecret)
	}
	return out
}

// HasCredentials reports whether every OAuth 1.0a value is set.
func (a XAccount) HasCredentials() bool {
	return a.ConsumerKey != "" && a.ConsumerSecret != "" && a.AccessToken != "" && a.AccessTokenSecret != ""
}

// HasCredentials reports whether every OAuth 1.0a value is set; without them
// the network publishes to the preview publisher only.
func (x XNetwork) HasCredentials() bool {
	return x.ConsumerKey != "" && x.ConsumerSecret != "" && x.AccessToken != "" && x.AccessTokenSecret != ""
}

type FacebookNetwork struct {
	Enabled         bool   `yaml:"enabled"`
	GraphBaseURL    string `yaml:"graph_base_url"`
	APIVersion      string `yaml:"api_version"`
	PageID          string `yaml:"page_id"`
	PageAccessToken string `yaml:"page_access_token" secret:"true"`
	AppSecret       string `yaml:"app_secret" secret:"true"`
	Limits          `yaml:",inline"`
	// Pages replace the single Page above with several, each with its own
	// route; what a Page leaves out it takes from the network's keys.
	Pages []FacebookPage `yaml:"pages"`
}

// FacebookPage is one Facebook Page: its id, token, caps and route.
type FacebookPage struct {
	Account         `yaml:",inline"`
	PageID          string `yaml:"page_id"`
	PageAccessToken string `yaml:"page_access_token" secret:"true"`
	AppSecret       string `yaml:"app_secret" secret:"true"`
}

// HasCredentials reports whether the Page id and token are set.
func (f FacebookNetwork) HasCredentials() bool { return f.PageID != "" && f.PageAccessToken != "" }

// HasCredentials reports whether the Page id and token are set.
func (p FacebookPage) HasCredentials() bool { return p.PageID != "" && p.PageAccessToken != "" }

// FacebookPages are the network's Pages: the listed ones, or its single Page.
func (f FacebookNetwork) FacebookPages() []FacebookPage {
	if len(f.Pages) == 0 {
		return []FacebookPage{{PageID: f.PageID, PageAccessToken: f.PageAccessToken, AppSecret: f.AppSecret}}
	}
	out := slices.Clone(f.Pages)
	for i := range out {
		out[i].AppSecret = cmp.Or(out[i].AppSecret, f.AppSecret)
	}
	return out
}

// InstagramNetwork is an Instagram professional account linked to a Page,
// published to through the Graph API's content publishing.
type InstagramNetwork struct {
	Enabled      bool   `yaml:"enabled"`
	GraphBaseURL string `yaml:"graph_base_url"`
	APIVersion   string `yaml:"api_version"`
	IGUserID     string `yaml:"ig_user_id"`
	AccessToken  string `yaml:"access_token" secret:"true"`
	AppSecret    string `yaml:"app_secret" secret:"true"`
	Route        Route  `yaml:"route"`
	Limits       `yaml:",inline"`
}

// HasCredentials reports whether the account id and token are set.
func (i InstagramNetwork) HasCredentials() bool { return i.IGUserID != "" && i.AccessToken != "" }

// MastodonNetwork is one Mastodon account on its instance.
type MastodonNetwork struct {
	Enabled     bool   `yaml:"enabled"`
	BaseURL     string `yaml:"base_url"`
	AccessToken string `yaml:"access_token" secret:"true"`
	Route       Route  `yaml:"route"`
	Limits      `yaml:",inline"`
}

// HasCredentials reports whether the instance and token are set.
func (m MastodonNetwork) HasCredentials() bool { return m.BaseURL != "" && m.AccessToken != "" }

// BlueskyNetwork is one Bluesky account on its PDS, logged in with an app
// password.
type BlueskyNetwork struct {
	Enabled     bool   `yaml:"enabled"`
	PDSURL      string `yaml:"pds_url"`
	Identifier  string `yaml:"identifier"`
	AppPassword string `yaml:"app_password" secret:"true"`
	Route       Route  `yaml:"route"`
	Limits      `yaml:",inline"`
}

// HasCredentials reports whether the handle and app password are set.
func (b BlueskyNetwork) HasCredentials() bool { return b.Identifier != "" && b.AppPassword != "" }

type Schedule struct {
	Poll       string      `yaml:"poll"`
	Publish    string      `yaml:"publish"`
	Feeds      string      `yaml:"feeds"`
	Stories    string      `yaml:"stories"`
	Reconcile  string      `yaml:"reconcile"`
	Engagement string      `yaml:"engagement"`
	QuietHours *QuietHours `yaml:"quiet_hours"`
	// PublishLease is how long a claimed post may stay publishing before it
	// is taken for unknown (a replica died mid-request); a publish call gets
	// half of it.
	PublishLease time.Duration `yaml:"publish_lease"`
	// LockLease is a job lock's lease, renewed every third of it: a replica
	// killed while holding one stalls that job this long at most.
	LockLease time.Duration `yaml:"lock_lease"`
}

type QuietHours struct {
	Start string `yaml:"start"` // "22:00"
	End   string `yaml:"end"`   // "08:00"
}

type Approval struct {
	AutoApprove []string       `yaml:"auto_approve" secret:"rules"`
	Priority    map[string]int `yaml:"priority"`
	// Freshness is how long a milestone stays news after it fires, by family
	// or milestone: its post goes out within it (alone or in a digest) or
	// expires. 0s: until the campaign's deadline.
	Freshness map[string]time.Duration `yaml:"freshness"`
	// MergeWindow: a campaign's milestones within it of its waiting post's
	// last change join that post; 0s never merges.
	MergeWindow time.Duration `yaml:"merge_window"`
	// Digests folds what the caps cannot carry in time into digest posts;
	// false lets those posts expire instead.
	Digests bool `yaml:"digests"`
}

type Content struct {
	TemplatesDir string `yaml:"templates_dir"`
}

// Feeds is the feeds section, written either as the list of feeds alone
// (feeds: [...]) or as a mapping with settings (feeds: {allow_private: …,
// list: [...]}).
type Feeds struct {
	// AllowPrivate lets feed URLs reach loopback and private addresses
	// (an intranet feed); by default only the public Internet.
	AllowPrivate bool   `yaml:"allow_private"`
	List         []Feed `yaml:"list"`
	// short: written as a plain list, whose keys are feeds[i].
	short bool
}

// UnmarshalYAML reads either form.
func (f *Feeds) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		f.short = true
		return n.Decode(&f.List)
	}
	type plain Feeds
	return n.Decode((*plain)(f))
}

// Key is the configuration key of the i-th feed, as the file wrote it.
func (f Feeds) Key(i int) string {
	if f.short {
		return fmt.Sprintf("feeds[%d]", i)
	}
	return fmt.Sprintf("feeds.list[%d]", i)
}

type Feed struct {
	// URL may carry a secret (user info, an api_key): printed redacted.
	URL         string   `yaml:"url" secret:"url"`
	Schedule    string   `yaml:"schedule"`
	Keywords    []string `yaml:"keywords"`
	Lang        string   `yaml:"lang"`
	AutoApprove bool     `yaml:"auto_approve"`
	Networks    []string `yaml:"networks"`
}

// Default is the configuration with no file at all, the quick start, as far
// as this package knows it: the defaults a part owns (milestone thresholds,
// good hours, priorities, freshness) come from Rules.Defaults.
func Default() Config {
	return Config{
		Timezone: "Europe/Paris",
		Platform: Platform{Name: "Fanfare"},
		Log:      Log{Format: "text", Level: "info"},
		Redis:    Redis{Prefix: "fanfare"},
		HTTP:     HTTP{Listen: "127.0.0.1:8080"},
		Campaigns: Campaigns{
			Poll: Poll{Timeout: 20 * time.Second, MaxPages: 50},
		},
		Dashboard: Dashboard{SessionLifetime: 7 * 24 * time.Hour, SessionIdleTimeout: 12 * time.Hour},
		Networks: Networks{
			// Enabled without credentials means the preview publisher: the
			// quick start shows the whole flow and sends nothing.
			X: XNetwork{
				Enabled:    true,
				APIBaseURL: "https://api.x.com",
				Limits:     Limits{DailyCap: 24, MinSpacing: 20 * time.Minute, CampaignSpacing: 6 * time.Hour},
			},
			Facebook: FacebookNetwork{
				Enabled:      true,
				GraphBaseURL: "https://graph.facebook.com",
				APIVersion:   "v21.0",
				Limits:       Limits{DailyCap: 8, MinSpacing: time.Hour, CampaignSpacing: 12 * time.Hour},
			},
			// The networks added later start disabled: enabling one is a
			// decision about an audience, not a default.
			Instagram: InstagramNetwork{
				GraphBaseURL: "https://graph.facebook.com",
				APIVersion:   "v21.0",
				// Instagram's API allows 100 published posts a day; an
				// audience wants far fewer.
				Limits: Limits{DailyCap: 4, MinSpacing: 2 * time.Hour, CampaignSpacing: 24 * time.Hour},
			},
			Mastodon: MastodonNetwork{
				Limits: Limits{DailyCap: 24, MinSpacing: 20 * time.Minute, CampaignSpacing: 6 * time.Hour},
			},
			Bluesky: BlueskyNetwork{
				PDSURL: "https://bsky.social",
				Limits: Limits{DailyCap: 24, MinSpacing: 20 * time.Minute, CampaignSpacing: 6 * time.Hour},
			},
		},
		Approval: Approval{Digests: true},
		Schedule: Schedule{
			Poll:       "@every 1m",
			Publish:    "@every 30s",
			Feeds:      "@every 30m",
			Stories:    "0 10 * * 2", // Tuesdays 10:00 in timezone
			Reconcile:  "@every 5m",
			Engagement: "@every 1h",
			// The audience sleeps; a post at 3 a.m. is a post nobody sees.
			QuietHours: &QuietHours{Start: "22:00", End: "08:00"},

			PublishLease: 2 * time.Minute,
			LockLease:    15 * time.Second,
		},
	}
}
