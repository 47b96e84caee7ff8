package httpjson

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fanfarehq/fanfare/bots"
)

func TestKind(t *testing.T) {
	tests := []struct {
		status int
		auth   bool
		want   bots.ErrorKind
	}{
		{429, false, bots.KindRateLimited},
		{401, true, bots.KindAuth},
		{403, false, bots.KindInvalid},
		{422, false, bots.KindInvalid},
		{500, false, bots.KindAmbiguous},
		{302, false, bots.KindAmbiguous},
	}
	for _, tt := range tests {
		if got := Kind(tt.status, tt.auth); got != tt.want {
			t.Errorf("Kind(%d, %v) = %s, want %s", tt.status, tt.auth, got, tt.want)
		}
	}
}

func TestStatusMessageAndHeaderInt(t *testing.T) {
	if got := StatusMessage(502, []byte("<html>\n Bad gateway </html>")); got != "Bad Gateway: <html> Bad gateway </html>" {
		t.Errorf("StatusMessage = %q", got)
	}
	if got := StatusMessage(599, nil); got != "HTTP 599" {
		t.Errorf("StatusMessage without text = %q", got)
	}
	h := http.Header{"X-N": {" 42 "}, "X-Bad": {"4x"}}
	if n, ok := HeaderInt(h, "X-N"); !ok || n != 42 {
		t.Errorf("HeaderInt = %d, %v", n, ok)
	}
	for _, name := range []string{"X-Bad", "X-Missing"} {
		if _, ok := HeaderInt(h, name); ok {
			t.Errorf("HeaderInt(%s) ok", name)
		}
	}
}

func TestBaseURL(t *testing.T) {
	if got, err := BaseURL("x", "BaseURL", "https://api.example/", "https://default.example"); err != nil || got != "https://api.example" {
		t.Errorf("trailing slash: %q, %v", got, err)
	}
	if got, err := BaseURL("x", "BaseURL", "/", "https://default.example"); err != nil || got != "https://default.example" {
		t.Errorf("empty: %q, %v", got, err)
	}
	if _, err := BaseURL("mastodon", "BaseURL", "", ""); err == nil || !strings.HasPrefix(err.Error(), `mastodon: option BaseURL "" is not`) {
		t.Errorf("required: %v", err)
	}
}
