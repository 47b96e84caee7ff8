package web

import (
	"strings"

	"github.com/fanfarehq/fanfare/content"
)

// What a network said when a post did not go out is kept in its own words
// (content.Post.LastError, the pause reason): English, technical, and the
// best evidence there is. The dashboard explains it in the interface's
// language by what it means for the post — the kind of failure, from the
// post's state and the publisher's release prefixes — with the next step a
// community manager can take, and shows the network's words behind
// "details".

// netErrorKind is a failure as a person acts on it.
type netErrorKind string

const (
	netAuth      netErrorKind = "auth"      // the token was refused: reconnect it
	netRate      netErrorKind = "rate"      // rate limited: Fanfare waits and retries
	netNotSent   netErrorKind = "not_sent"  // the network could not be reached: retried
	netDuplicate netErrorKind = "duplicate" // the same text exists: edit it
	netInvalid   netErrorKind = "invalid"   // the content was refused: change it
	netBlocked   netErrorKind = "blocked"   // the account is temporarily blocked
	netAmbiguous netErrorKind = "ambiguous" // it may have gone out: check the account
)

// netError is a post's failure explained.
type netError struct {
	Kind netErrorKind
	What string // what happened, in the interface's language
	Next string // what to do
	Raw  string // the network's words
}

// classifyPostError says which kind of failure a post's last error is. ok is
// false when the post carries no network failure (an expired post's reason
// is not one).
func classifyPostError(p content.Post) (netErrorKind, string, bool) {
	msg := strings.TrimSpace(p.LastError)
	if msg == "" {
		return "", "", false
	}
	switch p.State {
	case content.StateDuplicate:
		return netDuplicate, msg, true
	case content.StateUnknown:
		return netAmbiguous, msg, true
	case content.StateFailed:
		if isBlockedMessage(msg) {
			return netBlocked, msg, true
		}
		return netInvalid, msg, true
	case content.StateApproved, content.StatePublishing:
		// A post released after an attempt that certainly created nothing
		// (bots.PublishJob): the prefix says why.
		for prefix, kind := range map[string]netErrorKind{"paused: ": netAuth, "rate limited: ": netRate, "not sent: ": netNotSent} {
			if rest, ok := strings.CutPrefix(msg, prefix); ok {
				return kind, rest, true
			}
		}
	}
	return "", "", false
}

// isBlockedMessage: Graph's code 368, "temporarily blocked for policy
// violations", is a failure of its own (waiting helps, editing does not).
func isBlockedMessage(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "(#368)") || strings.Contains(m, "temporarily blocked")
}

// netErrorOf explains a post's failure; nil when it has none.
func (l locale) netErrorOf(p content.Post) *netError {
	kind, raw, ok := classifyPostError(p)
	if !ok {
		return nil
	}
	return l.netErrorFor(kind, p.Network, raw)
}

func (l locale) netErrorFor(kind netErrorKind, network, raw string) *netError {
	net := l.Net(network)
	next := "neterr." + string(kind) + ".next"
	var nextText string
	switch m := l.T(next); {
	case strings.Contains(m, "%[2]s"): // names the network's configuration key
		nextText = l.T(next, net, network)
	case strings.Contains(m, "%"):
		nextText = l.T(next, net)
	default:
		nextText = m
	}
	return &netError{Kind: kind, What: l.T("neterr."+string(kind)+".what", net), Next: nextText, Raw: raw}
}

// pauseError explains why a network is paused: a pause is always a refused
// token or permission (bots.KindAuth), the reason being the network's words.
func (l locale) pauseError(network, reason string) *netError {
	return l.netErrorFor(netAuth, network, reason)
}
