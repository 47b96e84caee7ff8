package campaigns

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
)

// FieldError names the field of a campaign that is wrong and why.
type FieldError struct {
	Field   string // JSON path, e.g. "creator.x_handle" or "stretch_goals[1].amount"
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// maxAmount bounds money in minor units: 10^13 cents is a hundred billion in
// the currency, far past any crowdfunding campaign, and far from int64 overflow
// when percentages are computed.
const maxAmount = 10_000_000_000_000

// Dates outside these years are typing mistakes (or an attack on the JSON
// encoder, which refuses years past 9999): one such snapshot must be refused
// alone, not fail its whole batch.
const minYear, maxYear = 1970, 2200

// maxBackers bounds backer counts for the same reason.
const maxBackers = 1_000_000_000

// Validate checks a snapshot and returns a *FieldError naming the first bad
// field. It does not clean text: the tracker calls Normalize first, and so do
// the sources before they validate.
func (c Campaign) Validate() error {
	fe := func(field, format string, args ...any) error {
		return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case strings.TrimSpace(c.ID) == "":
		return fe("id", "is required")
	case len(c.ID) > 128 || !validID(c.ID):
		return fe("id", "%q must be at most 128 printable characters without spaces, slashes or braces", c.ID)
	case strings.TrimSpace(c.Title) == "":
		return fe("title", "is required")
	case len(c.Title) > 500:
		return fe("title", "is longer than 500 bytes")
	}
	if err := validateURL(c.URL); err != nil {
		return fe("url", "%v", err)
	}
	if _, err := language.Parse(c.Lang); err != nil || c.Lang == "" {
		return fe("lang", "%q is not a language tag such as fr or en", c.Lang)
	}
	if _, ok := MinorUnits(c.Currency); !ok {
		return fe("currency", "%q is not an ISO 4217 currency code such as EUR", c.Currency)
	}
	switch {
	case c.Goal <= 0:
		return fe("goal", "must be a positive amount in minor units, got %d", c.Goal)
	case c.Goal > maxAmount:
		return fe("goal", "%d is beyond any plausible amount", c.Goal)
	case c.Pledged < 0:
		return fe("pledged", "must not be negative, got %d", c.Pledged)
	case c.Pledged > maxAmount:
		return fe("pledged", "%d is beyond any plausible amount", c.Pledged)
	case c.Backers < 0:
		return fe("backers", "must not be negative, got %d", c.Backers)
	case c.Backers > maxBackers:
		return fe("backers", "%d is beyond any plausible count", c.Backers)
	case c.LaunchedAt.IsZero():
		return fe("launched_at", "is required (RFC 3339)")
	case c.Deadline.IsZero():
		return fe("deadline", "is required (RFC 3339)")
	case c.LaunchedAt.Year() < minYear || c.LaunchedAt.Year() > maxYear:
		return fe("launched_at", "year %d is not between %d and %d", c.LaunchedAt.Year(), minYear, maxYear)
	case c.Deadline.Year() < minYear || c.Deadline.Year() > maxYear:
		return fe("deadline", "year %d is not between %d and %d", c.Deadline.Year(), minYear, maxYear)
	case !c.Deadline.After(c.LaunchedAt):
		return fe("deadline", "%s is not after launched_at %s", c.Deadline.Format("2006-01-02T15:04:05Z07:00"), c.LaunchedAt.Format("2006-01-02T15:04:05Z07:00"))
	}
	if _, ok := ParseState(string(c.State)); !ok {
		return fe("state", "%q is not one of %s", c.State, stateNames)
	}
	// A creator without a name is fine: posts then leave the credit out
	// rather than invent one.
	if len(c.Creator.Name) > 200 {
		return fe("creator.name", "is longer than 200 bytes")
	}
	if h := c.Creator.XHandle; h != "" && !validXHandle(strings.TrimPrefix(h, "@")) {
		return fe("creator.x_handle", "%q is not an X handle (1 to 15 letters, digits or _)", h)
	}
	if c.ImageURL != "" {
		if err := validateURL(c.ImageURL); err != nil {
			return fe("image_url", "%v", err)
		}
	}
	if len(c.ClosedNote) > 1000 {
		return fe("closed_note", "is longer than 1000 bytes")
	}
	if len(c.Description) > 20000 {
		return fe("description", "is longer than 20000 bytes")
	}
	for i, g := range c.StretchGoals {
		if g.Amount <= 0 || g.Amount > maxAmount {
			return fe(fmt.Sprintf("stretch_goals[%d].amount", i), "must be a positive amount in minor units, got %d", g.Amount)
		}
		if strings.TrimSpace(g.Title) == "" {
			return fe(fmt.Sprintf("stretch_goals[%d].title", i), "is required")
		}
	}
	return nil
}

// validateURL accepts absolute http(s) links to a plain host. User info is
// refused: "https://platform.example@phish.example" shows one host and opens
// another, and no campaign page needs it.
func validateURL(raw string) error {
	if raw == "" {
		return errors.New("is required")
	}
	if plainHTTPURL(raw) {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL", raw)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http" || u.Host == "" && u.User == nil:
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	case u.User != nil:
		return fmt.Errorf("%q carries user info before the host (user@host): a link must show the host it opens", raw)
	case !validHost(u.Hostname()):
		return fmt.Errorf("%q does not have a valid host name", raw)
	}
	return nil
}

// validHost accepts DNS names (internationalized ones too) and IP literals,
// refusing what a browser would read differently: spaces, backslashes,
// percent-escapes, control characters.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	for _, r := range h {
		if r < utf8.RuneSelf {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == ':' || r == '_') {
				return false
			}
		} else if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.Is(unicode.Mn, r) {
			return false
		}
	}
	return true
}

// validID accepts printable text without spaces, slashes and braces: an id is
// a path segment of the dashboard's and the API's links, and part of Redis
// keys and event ids.
func validID(id string) bool {
	if !utf8.ValidString(id) {
		return false
	}
	for _, r := range id {
		if r == '/' || r == '{' || r == '}' || r == '\\' || unicode.IsSpace(r) || !unicode.IsGraphic(r) || dropped(r) {
			return false
		}
	}
	return true
}

// plainHTTPURL reports whether raw is an http(s) URL made only of a host
// name and a path of unreserved characters, the usual campaign and image
// link: url.Parse accepts all of them (with a host), and parsing the two
// links of a snapshot was over half the cost of validating it. Anything else
// goes through url.Parse.
func plainHTTPURL(raw string) bool {
	rest, ok := strings.CutPrefix(raw, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(raw, "http://"); !ok {
			return false
		}
	}
	host := true
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.':
		case c == '/':
			host = false
		case (c == '_' || c == '~') && !host:
		default:
			return false
		}
	}
	return len(rest) > 0 && rest[0] != '/' // a host
}

func validXHandle(h string) bool {
	if len(h) == 0 || len(h) > 15 {
		return false
	}
	for _, r := range h {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
