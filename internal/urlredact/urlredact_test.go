package urlredact

import (
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://blog.example.org/feed.xml", "https://blog.example.org/feed.xml"},
		{"https://blog.example.org/feed.xml?category=news", "https://blog.example.org/feed.xml?category=news"},
		{"https://alice:s3cret@feeds.example.org/private.xml", "https://REDACTED@feeds.example.org/private.xml"},
		{"https://tok3n@feeds.example.org/x", "https://REDACTED@feeds.example.org/x"},
		{"https://api.example.org/rss?api_key=abc123&lang=fr", "https://api.example.org/rss?api_key=REDACTED&lang=fr"},
		{"https://api.example.org/rss?access_token=abc&X-Amz-Signature=zz", "https://api.example.org/rss?X-Amz-Signature=REDACTED&access_token=REDACTED"},
		{"https://api.example.org/rss?apiKey=abc", "https://api.example.org/rss?apiKey=REDACTED"},
		{"https://api.example.org/rss?monkey=1", "https://api.example.org/rss?monkey=1"},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	got := Text(`Get "https://u:pw@h.example/f?token=t0k": dial tcp: refused`)
	if strings.Contains(got, "pw") || strings.Contains(got, "t0k") || !strings.Contains(got, "h.example/f") {
		t.Errorf("Text = %q", got)
	}
}
