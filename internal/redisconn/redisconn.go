// Package redisconn opens Fanfare's Redis: one URL form for a single node, TLS,
// Sentinel and Cluster, or — when no URL is configured — an embedded in-memory
// store for the quick start, reached through the very same client code path.
package redisconn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Conn is an open Redis with what must be closed with it.
type Conn struct {
	Client   redis.UniversalClient
	Embedded bool   // state lives in this process's memory only
	Addr     string // for logs; never carries a password
	embedded *miniredis.Miniredis
}

// Close closes the client, then the embedded server if any.
func (c *Conn) Close() error {
	err := c.Client.Close()
	if c.embedded != nil {
		c.embedded.Close()
	}
	return err
}

// Open connects to rawURL without waiting for the server: use Wait to know it
// answers. The URL forms:
//
//	redis://[user:password@]host:6379/0          a single node
//	rediss://...                                  the same over TLS
//	redis://host:26379?master_name=mymaster&addr=host2:26379   Sentinel (the hosts are sentinels)
//	redis://host:6379?addr=host2:6379&addr=host3:6379          Cluster (seed nodes)
//
// The empty URL starts the embedded store on 127.0.0.1.
func Open(rawURL string, logger *slog.Logger) (*Conn, error) {
	redis.SetLogger(redisLogger{logger})
	if rawURL == "" {
		m := miniredis.NewMiniRedis()
		if err := m.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("redisconn: unable to start the embedded store: %w", err)
		}
		logger.Warn("redis.url is empty: using the embedded in-memory store; every campaign, post and milestone is lost when fanfare stops — set redis.url for production",
			"addr", m.Addr())
		return &Conn{
			Client:   redis.NewClient(&redis.Options{Addr: m.Addr(), MaintNotificationsConfig: noMaintNotifications(), DisableIdentity: true}),
			Embedded: true,
			Addr:     m.Addr(),
			embedded: m,
		}, nil
	}
	opts, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	opts.MaintNotificationsConfig = noMaintNotifications()
	// CLIENT SETINFO needs Redis 7.2; older servers answer it with an error
	// that would count as a failure at every new connection.
	opts.DisableIdentity = true
	return &Conn{Client: redis.NewUniversalClient(opts), Addr: strings.Join(opts.Addrs, ",")}, nil
}

// ParseURL turns one of Open's URL forms into client options. Errors never echo
// the URL, which may hold a password.
func ParseURL(rawURL string) (*redis.UniversalOptions, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, errors.New("redisconn: redis.url is not a URL")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return nil, fmt.Errorf("redisconn: redis.url scheme %q is not redis or rediss", u.Scheme)
	}
	q := u.Query()
	switch {
	case q.Has("master_name"):
		o, err := redis.ParseFailoverURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("redisconn: redis.url (sentinel form): %s", redactErr(err, u))
		}
		return &redis.UniversalOptions{
			Addrs: o.SentinelAddrs, MasterName: o.MasterName, DB: o.DB,
			Username: o.Username, Password: o.Password,
			SentinelUsername: o.SentinelUsername, SentinelPassword: o.SentinelPassword,
			TLSConfig: o.TLSConfig, DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout,
			WriteTimeout: o.WriteTimeout, PoolSize: o.PoolSize,
		}, nil
	case q.Has("addr"):
		o, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("redisconn: redis.url (cluster form): %s", redactErr(err, u))
		}
		return &redis.UniversalOptions{
			Addrs: o.Addrs, IsClusterMode: true, Username: o.Username, Password: o.Password,
			TLSConfig: o.TLSConfig, DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout,
			WriteTimeout: o.WriteTimeout, PoolSize: o.PoolSize,
		}, nil
	default:
		o, err := redis.ParseURL(rawURL)
		if err != nil {
			return nil, fmt.Errorf("redisconn: redis.url: %s", redactErr(err, u))
		}
		return &redis.UniversalOptions{
			Addrs: []string{o.Addr}, DB: o.DB, Username: o.Username, Password: o.Password,
			TLSConfig: o.TLSConfig, DialTimeout: o.DialTimeout, ReadTimeout: o.ReadTimeout,
			WriteTimeout: o.WriteTimeout, PoolSize: o.PoolSize,
		}, nil
	}
}

func redactErr(err error, u *url.URL) string {
	msg := err.Error()
	if p, ok := u.User.Password(); ok && p != "" {
		msg = strings.ReplaceAll(msg, p, "xxxxx")
	}
	return msg
}

// Wait pings until Redis answers or ctx ends, backing off from 250ms to 15s and
// logging each failure, so that a daemon started before its Redis says why it
// is not ready instead of exiting.
func Wait(ctx context.Context, c redis.UniversalClient, logger *slog.Logger) error {
	var lastErr error // the last answer from Redis, not the cancellation
	for attempt := 1; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err := c.Ping(pctx).Err()
		cancel()
		if err != nil && (ctx.Err() == nil || lastErr == nil) {
			lastErr = err
		}
		if err == nil {
			if attempt > 1 {
				logger.Info("redis is reachable", "attempts", attempt)
			}
			return nil
		}
		backoff := waitBackoff(attempt)
		if attempt&(attempt-1) == 0 {
			// Attempts 1, 2, 4, 8…: a second apart, one line each would flood.
			logger.Warn("redis is unreachable; retrying", "attempt", attempt, "retry_in", backoff.String(), "error", err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("redisconn: redis unreachable after %d attempts: %w", attempt, lastErr)
		case <-time.After(backoff):
		}
	}
}

// waitMaxBackoff bounds the pause between two pings: a daemon waiting for
// Redis is not ready, and the webhook's senders are told to retry, so it
// must be ready within a second of Redis answering, not up to 15 s later.
// A ping a second is nothing for Redis.
const waitMaxBackoff = time.Second

// waitBackoff is the pause after the attempt-th failed ping: 250 ms, 500 ms,
// then waitMaxBackoff.
func waitBackoff(attempt int) time.Duration {
	d := 250 * time.Millisecond
	for i := 1; i < attempt && d < waitMaxBackoff; i++ {
		d *= 2
	}
	return min(d, waitMaxBackoff)
}

// noMaintNotifications stops go-redis from sending CLIENT MAINT_NOTIFICATIONS
// on every new connection: Redis before 8 and the embedded store answer it
// with an error, which would count as a Redis failure.
func noMaintNotifications() *maintnotifications.Config {
	return &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
}

// redisLogger sends go-redis's own messages (pool dial failures, retried
// connections) to our log at debug level instead of the process's stderr:
// Wait and the metrics already say when Redis is unreachable.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "go-redis: "+fmt.Sprintf(format, v...))
}
