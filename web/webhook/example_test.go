package webhook_test

import (
	"fmt"
	"time"

	"github.com/fanfarehq/fanfare/web/webhook"
)

// A sender signs the exact bytes it posts, with the time it sends them.
// The same value with curl:
//
//	body='{"id":"1"}'; t=$(date +%s)
//	sig=$(printf '%s.%s' "$t" "$body" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')
//	curl -H 'Content-Type: application/json' -H "Fanfare-Signature: t=$t,v1=$sig" \
//	     --data-binary "$body" https://fanfare.example.org/hooks/campaigns
func ExampleSign() {
	body := []byte(`{"id":"1"}`)
	fmt.Println(webhook.Sign("whsec_test", time.Unix(1767225600, 0), body))
	// Output: t=1767225600,v1=c9c43053c587d9a132baf3e87a7f5cd6b5e5e5acf4ecb038f8c897644f666304
}
