package webhook

import "github.com/fanfarehq/fanfare/internal/keyspace"

// Every key of the package is built here, under "{prefix}:webhook:", so the
// whole keyspace stays in one Cluster slot (DESIGN.md).

func keyBase(prefix string) string { return keyspace.Base(prefix) + "webhook:" }

// seenKey marks a signed delivery as received. digest is the hex SHA-256 of
// what the signature covers ("<t>.<raw body>"); the key lives twice the
// timestamp tolerance, the whole time the same signature could be accepted.
func seenKey(prefix, digest string) string {
	return keyBase(prefix) + "seen:" + digest
}
