// Package keyspace is the one rule every Redis key of Fanfare follows: it
// starts with the hash tag "{<prefix>}:" (redis.prefix), so one platform's
// keyspace lives in one Cluster slot, one script may change keys of several
// kinds at once, and several platforms (prefixes) spread over a Cluster's
// masters. Each package builds its own key names on this base, in its
// keys.go, and passes every key a script touches in KEYS.
package keyspace

import (
	"fmt"
	"strings"
)

// DefaultPrefix is the prefix when none is configured.
const DefaultPrefix = "fanfare"

// Base is the start of every key: "{prefix}:", "{fanfare}:" for the empty
// prefix.
func Base(prefix string) string {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return "{" + prefix + "}:"
}

// Check reports a prefix that would break the hash tag or the key layout.
func Check(prefix string) error {
	if strings.ContainsAny(prefix, "{}: \t\r\n") {
		return fmt.Errorf("redis prefix %q must not contain braces, colons or spaces", prefix)
	}
	return nil
}
