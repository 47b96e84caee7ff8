package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// identity is who makes a request.
type identity struct {
	Name  string // shown and recorded
	Role  string
	Actor string // recorded in audit trails: the user name or "api:<token>"
	CSRF  string // the session's form token; empty for bearer tokens
	API   bool   // authenticated by a bearer token
	Scope int    // a token's highest scope (scopeLevel); sessions go by Role
}

// scopeLevel orders the scopes: each includes those below.
func scopeLevel(scope string) int {
	switch scope {
	case ScopeRead:
		return 1
	case ScopeWrite:
		return 2
	case ScopeAdmin:
		return 3
	}
	return 0
}

func (id identity) CanChange() bool { return id.Role == RoleManager }

type ctxKey int

const identityKey ctxKey = iota

func withIdentity(ctx context.Context, id identity) context.Context {
	return context.WithValue(ctx, identityKey, id)
}

func identityFrom(ctx context.Context) (identity, bool) {
	id, ok := ctx.Value(identityKey).(identity)
	return id, ok
}

var userNameRE = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)

func checkUser(u User) error {
	if !userNameRE.MatchString(u.Name) {
		return fmt.Errorf("name %q must be 1-64 letters, digits or ._@-", u.Name)
	}
	if u.Role != RoleManager && u.Role != RoleViewer {
		return fmt.Errorf("role %q of %s is not %s or %s", u.Role, u.Name, RoleManager, RoleViewer)
	}
	if err := checkPasswordHash(u.PasswordHash); err != nil {
		return fmt.Errorf("%s: %w", u.Name, err)
	}
	return nil
}

type apiToken struct {
	name  string
	sum   []byte
	scope int // the highest of its scopes
}

func parseAPIToken(t APIToken) (apiToken, error) {
	if !userNameRE.MatchString(t.Name) {
		return apiToken{}, fmt.Errorf("name %q must be 1-64 letters, digits or ._@-", t.Name)
	}
	sum, err := hex.DecodeString(strings.TrimSpace(t.SHA256))
	if err != nil || len(sum) != sha256.Size {
		return apiToken{}, fmt.Errorf("sha256 of %s must be 64 hex digits (sha256sum of the token)", t.Name)
	}
	scope := scopeLevel(ScopeRead)
	for _, sc := range t.Scopes {
		l := scopeLevel(sc)
		if l == 0 {
			return apiToken{}, fmt.Errorf("scope %q of %s is not %s, %s or %s", sc, t.Name, ScopeRead, ScopeWrite, ScopeAdmin)
		}
		scope = max(scope, l)
	}
	return apiToken{name: t.Name, sum: sum, scope: scope}, nil
}

// bearer authenticates an API token. Every configured token is compared, in
// constant time, so timing says nothing about which (if any) matched.
func (s *Server) bearer(r *http.Request) (identity, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return identity{}, false
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(tok)))
	var found *apiToken
	for i := range s.tokens {
		if subtle.ConstantTimeCompare(sum[:], s.tokens[i].sum) == 1 {
			found = &s.tokens[i]
		}
	}
	if found == nil {
		return identity{}, false
	}
	role := RoleViewer
	if found.scope >= scopeLevel(ScopeWrite) {
		role = RoleManager
	}
	return identity{Name: found.name, Role: role, Actor: "api:" + found.name, API: true, Scope: found.scope}, true
}

// authenticate checks a user name and password. An unknown name is checked
// against dummyHash anyway (result ignored), so it costs about what a wrong
// password does and names cannot be told apart; no user's own hash is ever
// tried with another name's password.
func (s *Server) authenticate(name, pw string) (User, bool) {
	u, ok := s.users[name]
	if !ok {
		_ = s.verify(dummyHash, pw)
		return User{}, false
	}
	if !s.verify(u.PasswordHash, pw) {
		return User{}, false
	}
	return u, true
}

// verify is verifyPassword, counted for the tests (which hash was tried).
func (s *Server) verify(hash, pw string) bool {
	if s.verified != nil {
		s.verified(hash)
	}
	return verifyPassword(hash, pw)
}
