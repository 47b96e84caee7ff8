package webhook

import (
	"testing"
	"time"
)

func TestVerifyIsTheWebhookCheck(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"pledges":[]}`)
	good := Sign("s3cret-s3cret-s3cret", now, body)
	for _, tc := range []struct {
		name, header string
		secrets      []string
		at           time.Time
		code         string
	}{
		{"good", good, []string{"", "s3cret-s3cret-s3cret"}, now, ""},
		{"missing", "", []string{"s3cret-s3cret-s3cret"}, now, "missing_signature"},
		{"other secret", good, []string{"another-secret-here"}, now, "bad_signature"},
		{"no secret", good, nil, now, "bad_signature"},
		{"late", good, []string{"s3cret-s3cret-s3cret"}, now.Add(301 * time.Second), "timestamp_out_of_range"},
	} {
		err := Verify(tc.header, body, tc.secrets, tc.at, 0)
		if got := SignatureErrorCode(err); got != tc.code || (tc.code == "") != (err == nil) {
			t.Errorf("%s: err %v (code %q), want code %q", tc.name, err, got, tc.code)
		}
	}
}
