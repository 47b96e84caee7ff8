package impact

import "testing"

// TestCrawlersKnowTheList checks the matcher against the list's own
// examples: every instance of every record is a robot's.
func TestCrawlersKnowTheList(t *testing.T) {
	c, err := NewCrawlers()
	if err != nil {
		t.Fatal(err)
	}
	es, err := loadCrawlerEntries()
	if err != nil {
		t.Fatal(err)
	}
	if len(es) < 1000 {
		t.Fatalf("the vendored list has %d records: truncated?", len(es))
	}
	n := 0
	for _, e := range es {
		for _, ua := range e.Instances {
			n++
			if !c.IsBot(ua) {
				t.Errorf("instance of %q not recognized: %q", e.Pattern, ua)
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d instances checked", n)
	}
}

func TestCrawlersTellPeopleFromRobots(t *testing.T) {
	c, err := NewCrawlers(`^FanfareTestFetcher/`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ua  string
		bot bool
	}{
		{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", false},
		{"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", false},
		{"Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", false},
		{"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36", false},
		{"Twitterbot/1.0", true},
		{"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", true},
		{"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", true},
		{"WhatsApp/2.23.20.0 A", true},
		{"Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", true},
		{"TelegramBot (like TwitterBot)", true},
		{"LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)", true},
		{"curl/8.5.0", true},
		{"", true},
		{"FanfareTestFetcher/1.0", true},
	} {
		for range 2 { // the second answer comes from memory
			if got := c.IsBot(tc.ua); got != tc.bot {
				t.Errorf("IsBot(%q) = %v, want %v", tc.ua, got, tc.bot)
			}
		}
	}
}
