package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
)

func loggedOut(resp *http.Response) bool {
	return resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), "/login")
}

// TestSessionAbsoluteLifetime: a session used every few hours still ends
// its lifetime after login.
func TestSessionAbsoluteLifetime(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.SessionLifetime = 48 * time.Hour })
	b := e.login("alice")
	for used := time.Duration(0); used+6*time.Hour < 48*time.Hour; used += 6 * time.Hour {
		e.clock.Advance(6 * time.Hour)
		if resp := b.get("/"); resp.StatusCode != http.StatusOK {
			t.Fatalf("after %v of use: status %d", used+6*time.Hour, resp.StatusCode)
		}
	}
	e.clock.Advance(6 * time.Hour)
	if resp := b.get("/"); !loggedOut(resp) {
		t.Fatalf("a session used all along outlived its 48 h lifetime: status %d", resp.StatusCode)
	}
}

// TestSessionIdleTimeout: unused for the idle timeout, a session ends.
func TestSessionIdleTimeout(t *testing.T) {
	e := newEnv(t, func(o *Options) { o.SessionIdle = time.Hour })
	b := e.login("alice")
	e.clock.Advance(59 * time.Minute)
	if resp := b.get("/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("within the idle timeout: status %d", resp.StatusCode)
	}
	e.clock.Advance(61 * time.Minute)
	if resp := b.get("/"); !loggedOut(resp) {
		t.Fatalf("idle for 61 minutes: status %d", resp.StatusCode)
	}
}

// TestSessionEndsWhenPasswordOrRoleChanges: a new password hash or role in
// the configuration ends the sessions begun with the old one.
func TestSessionEndsWhenPasswordOrRoleChanges(t *testing.T) {
	newHash, err := bcrypt.GenerateFromPassword([]byte(testPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		user User
	}{
		{"password", User{Name: "alice", Role: RoleManager, PasswordHash: string(newHash)}},
		{"role", User{Name: "alice", Role: RoleViewer, PasswordHash: testHash}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, nil)
			b := e.login("alice")
			other := e.login("victor")
			// The configuration changes (a restart with the new file).
			e.srv.users["alice"] = tt.user
			if resp := b.get("/"); !loggedOut(resp) {
				t.Fatalf("session survived a %s change: status %d", tt.name, resp.StatusCode)
			}
			if resp := other.get("/"); resp.StatusCode != http.StatusOK {
				t.Fatalf("another user's session ended: status %d", resp.StatusCode)
			}
			// A new login with the new settings works.
			if resp := e.browser().postForm("/login", url.Values{"name": {"alice"}, "password": {testPassword}}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("login after the change: status %d", resp.StatusCode)
			}
		})
	}
}

// TestLogoutEverywhere ends every session of the user, and only theirs.
func TestLogoutEverywhere(t *testing.T) {
	e := newEnv(t, nil)
	phone, laptop, victor := e.login("alice"), e.login("alice"), e.login("victor")
	if resp := laptop.postForm("/logout/everywhere", nil); !loggedOut(resp) {
		t.Fatalf("log out everywhere: status %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	for name, b := range map[string]*browser{"phone": phone, "laptop": laptop} {
		if resp := b.get("/"); !loggedOut(resp) {
			t.Errorf("alice's %s is still logged in: status %d", name, resp.StatusCode)
		}
	}
	if resp := victor.get("/"); resp.StatusCode != http.StatusOK {
		t.Errorf("victor was logged out too: status %d", resp.StatusCode)
	}
	again := e.login("alice")
	if resp := again.get("/"); resp.StatusCode != http.StatusOK {
		t.Errorf("a new login after logging out everywhere: status %d", resp.StatusCode)
	}
	// Without the form token it is refused, like every change.
	if resp := again.postForm("/logout/everywhere", url.Values{"csrf": {"wrong"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("log out everywhere without the form token: status %d, want 403", resp.StatusCode)
	}
}
