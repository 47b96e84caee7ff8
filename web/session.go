package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
)

const (
	sessionCookie = "fanfare_session"
	// DefaultSessionLifetime is how long a session lasts at most, however
	// busy: a stolen cookie is not good forever.
	DefaultSessionLifetime = 7 * 24 * time.Hour
	// DefaultSessionIdle ends a session unused this long.
	DefaultSessionIdle = 12 * time.Hour
	// sessionTouchEvery limits writes: a sliding session is pushed forward at
	// most once a minute, not on every request.
	sessionTouchEvery = time.Minute
	onceTTL           = 15 * time.Minute
	// onceUser is the implicit account of a one-time login (no users configured).
	onceUser = "admin"
)

// session is what Redis keeps for a logged-in browser. Expiry is checked
// against the injected clock; the Redis TTL only collects the garbage.
type session struct {
	User      string    `json:"user"`
	Role      string    `json:"role"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"` // the idle deadline, never past CreatedAt + lifetime
	// Fingerprint is a digest of the user's role and password hash when the
	// session began: a changed password or role ends every session.
	Fingerprint string `json:"fingerprint"`
	// Generation is the user's session generation when the session began:
	// "log out everywhere" moves it on, ending every older session.
	Generation int64 `json:"generation"`
}

// userFingerprint digests what, when changed in the config file, must end a
// user's sessions. The implicit one-time-login account has none.
func userFingerprint(u User) string {
	if u.PasswordHash == "" {
		return ""
	}
	return digest(u.Role + "\x00" + u.PasswordHash)[:32]
}

// sessionDeadline is when a session seen now must end: after the idle
// timeout, and never past its absolute lifetime.
func (s *Server) sessionDeadline(created, now time.Time) time.Time {
	end := now.Add(s.opt.SessionIdle)
	if abs := created.Add(s.opt.SessionLifetime); abs.Before(end) {
		end = abs
	}
	return end
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// newSession stores a session and sets its cookie.
func (s *Server) newSession(ctx context.Context, w http.ResponseWriter, u User) error {
	gen, err := s.sessionGeneration(ctx, u.Name)
	if err != nil {
		return err
	}
	id := randomToken()
	now := s.now()
	sess := session{User: u.Name, Role: u.Role, CSRF: randomToken(), CreatedAt: now, ExpiresAt: s.sessionDeadline(now, now),
		Fingerprint: userFingerprint(u), Generation: gen}
	b, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	ttl := sess.ExpiresAt.Sub(now)
	if err := s.opt.Redis.Set(ctx, sessionKey(s.opt.Prefix, id), b, ttl).Err(); err != nil {
		return fmt.Errorf("web: unable to store session: %w", err)
	}
	// The cookie lives as long as the session can: the server decides when
	// it ends, sooner when idle.
	http.SetCookie(w, s.cookie(sessionCookie, id, s.opt.SessionLifetime))
	return nil
}

// sessionGeneration is a user's current session generation (0 until they
// first log out everywhere).
func (s *Server) sessionGeneration(ctx context.Context, user string) (int64, error) {
	n, err := s.opt.Redis.Get(ctx, sessionGenKey(s.opt.Prefix, user)).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("web: unable to read session generation: %w", err)
	}
	return n, nil
}

// endAllSessions ends every session of user, on every browser: the next
// request of each finds its generation behind.
func (s *Server) endAllSessions(ctx context.Context, user string) error {
	if err := s.opt.Redis.Incr(ctx, sessionGenKey(s.opt.Prefix, user)).Err(); err != nil {
		return fmt.Errorf("web: unable to end sessions: %w", err)
	}
	return nil
}

func (s *Server) cookie(name, value string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   int(maxAge / time.Second),
		HttpOnly: true,
		Secure:   s.opt.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
}

// sessionFrom loads the request's session, sliding its expiry forward.
// ok is false when there is none or it has expired.
func (s *Server) sessionFrom(r *http.Request) (session, bool, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return session{}, false, nil
	}
	ctx := r.Context()
	key := sessionKey(s.opt.Prefix, c.Value)
	b, err := s.opt.Redis.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return session{}, false, nil
	}
	if err != nil {
		return session{}, false, fmt.Errorf("web: unable to load session: %w", err)
	}
	var sess session
	if err := json.Unmarshal(b, &sess); err != nil {
		return session{}, false, fmt.Errorf("web: corrupt session: %w", err)
	}
	gen, err := s.sessionGeneration(ctx, sess.User)
	if err != nil {
		return session{}, false, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.CreatedAt.Add(s.opt.SessionLifetime)) || sess.Generation != gen {
		_ = s.opt.Redis.Del(ctx, key).Err()
		return session{}, false, nil
	}
	if next := s.sessionDeadline(sess.CreatedAt, now); next.Sub(sess.ExpiresAt) >= sessionTouchEvery {
		sess.ExpiresAt = next
		if nb, err := json.Marshal(sess); err == nil {
			// XX: a concurrent logout must not be undone by this refresh.
			if err := s.opt.Redis.SetArgs(ctx, key, nb, redis.SetArgs{Mode: "XX", TTL: next.Sub(now)}).Err(); err != nil && !errors.Is(err, redis.Nil) {
				s.log.Warn("unable to extend session", "error", err)
			}
		}
	}
	return sess, true, nil
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) error {
	http.SetCookie(w, s.cookie(sessionCookie, "", -time.Second))
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	if err := s.opt.Redis.Del(r.Context(), sessionKey(s.opt.Prefix, c.Value)).Err(); err != nil {
		return fmt.Errorf("web: unable to delete session: %w", err)
	}
	return nil
}

// OneTimeLoginURL makes a link that logs its first follower in as the implicit
// "admin" manager, valid 15 minutes. It exists only for installs without
// configured users: the daemon prints it on the console and listens on
// 127.0.0.1 only.
func (s *Server) OneTimeLoginURL(ctx context.Context) (string, error) {
	if len(s.users) > 0 {
		return "", errors.New("web: one-time login is only for installs without dashboard.users")
	}
	tok := randomToken()
	exp := s.now().Add(onceTTL)
	if err := s.opt.Redis.Set(ctx, onceKey(s.opt.Prefix, tok), exp.Format(time.RFC3339Nano), onceTTL).Err(); err != nil {
		return "", fmt.Errorf("web: unable to store one-time login: %w", err)
	}
	return s.publicURL.String() + "/login/once?token=" + tok, nil
}

// consumeOnce spends a one-time token: GETDEL makes two clicks race to one winner.
func (s *Server) consumeOnce(ctx context.Context, tok string) (bool, error) {
	if tok == "" || len(tok) > 128 || len(s.users) > 0 {
		return false, nil
	}
	v, err := s.opt.Redis.GetDel(ctx, onceKey(s.opt.Prefix, tok)).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("web: unable to read one-time login: %w", err)
	}
	exp, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || !s.now().Before(exp) {
		return false, nil
	}
	return true, nil
}
