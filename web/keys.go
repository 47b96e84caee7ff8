package web

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/fanfarehq/fanfare/internal/keyspace"
)

// Every key of the package is built here, under "{prefix}:web:", so that the
// whole keyspace stays in one Cluster slot (DESIGN.md).

func keyBase(prefix string) string { return keyspace.Base(prefix) + "web:" }

// sessionKey holds a session as JSON. The key carries the SHA-256 of the
// cookie value, not the value, so a Redis dump does not hand out live sessions.
func sessionKey(prefix, sessionID string) string {
	return keyBase(prefix) + "session:" + digest(sessionID)
}

// sessionGenKey holds a user's session generation (INCR on "log out
// everywhere"); sessions carry the generation they began in.
func sessionGenKey(prefix, user string) string {
	return keyBase(prefix) + "session_gen:" + digest(user)[:32]
}

// onceKey holds a one-time login token (again by digest).
func onceKey(prefix, token string) string {
	return keyBase(prefix) + "once:" + digest(token)
}

// attemptsKey counts login attempts of one client address or user name in one
// fixed window, identified by its start so that an injected clock moves windows.
func attemptsKey(prefix, kind, who string, windowStart int64) string {
	return keyBase(prefix) + "login_attempts:" + kind + ":" + digest(who)[:32] + ":" + strconv.FormatInt(windowStart, 10)
}

// loginSlowKey exists while attempts on one user name from addresses that
// already failed must wait (the per-account slow-down).
func loginSlowKey(prefix, name string) string {
	return keyBase(prefix) + "login_slow:" + digest(name)[:32]
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
