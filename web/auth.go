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
	name string
	sum  []byte
}

func parseAPIToken(t APIToken) (apiToken, error) {
	if !userNameRE.MatchString(t.Name) {
		return apiToken{}, fmt.Errorf("name %q must be 1-64 letters, digits or ._@-", t.Name)
	}
	sum, err := hex.DecodeString(strings.TrimSpace(t.SHA256))
	if err != nil || len(sum) != sha256.Size {
		return apiToken{}, fmt.Errorf("sha256 of %s must be 64 hex digits (sha256sum of the token)", t.Name)
	}
	return apiToken{name: t.Name, sum: sum}, nil
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
	return identity{Name: found.name, Role: RoleManager, Actor: "api:" + found.name, API: true}, true
}

// authenticate checks a user name and password. An unknown name is checked
// against a configured user's hash anyway (result ignored), so it costs the
// same time as a wrong password and names cannot be told apart.
func (s *Server) authenticate(name, pw string) (User, bool) {
	u, ok := s.users[name]
	if !ok {
		if len(s.opt.Users) > 0 {
			_ = verifyPassword(s.opt.Users[0].PasswordHash, pw)
		}
		return User{}, false
	}
	if !verifyPassword(u.PasswordHash, pw) {
		return User{}, false
	}
	return u, true
}
