package ratelimit

import "github.com/fanfarehq/fanfare/internal/keyspace"

// windowBase is where one account's windows live, one hash per endpoint
// ("{prefix}:ratelimit:x:<account>:POST /2/tweets"), under the prefix's hash
// tag like every Fanfare key.
func windowBase(prefix, scope string) string {
	return keyspace.Base(prefix) + "ratelimit:" + scope + ":"
}
