package composer

import (
	"net/url"
	"strings"
	"testing"
)

func TestTagURL(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    string
		wantErr string
	}{
		{
			name: "plain",
			raw:  "https://fund.example/p/jardin",
			want: "https://fund.example/p/jardin?utm_campaign=c42&utm_content=percent%3A50&utm_medium=social&utm_source=x",
		},
		{
			name: "keeps query and fragment",
			raw:  "https://fund.example/p/jardin?ref=home&lang=fr#rewards",
			want: "https://fund.example/p/jardin?lang=fr&ref=home&utm_campaign=c42&utm_content=percent%3A50&utm_medium=social&utm_source=x#rewards",
		},
		{
			name: "replaces earlier utm",
			raw:  "https://fund.example/p/jardin?utm_source=newsletter&utm_medium=email",
			want: "https://fund.example/p/jardin?utm_campaign=c42&utm_content=percent%3A50&utm_medium=social&utm_source=x",
		},
		{name: "relative", raw: "/p/jardin", wantErr: "not an absolute"},
		{name: "ftp", raw: "ftp://fund.example/x", wantErr: "not an absolute"},
		{name: "garbage", raw: "http://[::1", wantErr: "unable to tag link"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TagURL(tt.raw, "x", "c42", "percent:50")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("TagURL(%q) error = %v, want it to contain %q", tt.raw, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("TagURL(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Errorf("TagURL(%q)\n got %s\nwant %s", tt.raw, got, tt.want)
			}
			again, err := TagURL(got, "x", "c42", "percent:50")
			if err != nil || again != got {
				t.Errorf("tagging twice changed the link: %s (%v)", again, err)
			}
			if _, err := url.Parse(got); err != nil {
				t.Errorf("result does not parse: %v", err)
			}
		})
	}
}
