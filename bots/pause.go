package bots

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// NetworkConfig is what the configuration says about a network.
type NetworkConfig struct {
	Name    string // "x", "facebook"
	Enabled bool
	Preview bool // posts are recorded by bots/preview, not sent
}

// Networks keeps each network's publishing state in Redis, so that every
// replica sees a pause: paused (broken token, with reason and since) and held
// (a rate limit says wait until). It implements NetworkStatusReader.
type Networks struct {
	rdb  redis.UniversalClient
	k    keys
	nets []NetworkConfig
	now  func() time.Time
}

var _ NetworkStatusReader = (*Networks)(nil)

// NewNetworks returns the state of the configured networks; now nil means
// time.Now.
func NewNetworks(rdb redis.UniversalClient, prefix string, nets []NetworkConfig, now func() time.Time) *Networks {
	if now == nil {
		now = time.Now
	}
	return &Networks{rdb: rdb, k: newKeys(prefix), nets: nets, now: now}
}

// Pause stops publishing to a network until Resume; it reports whether the
// network was running before.
func (n *Networks) Pause(ctx context.Context, network, reason string) (bool, error) {
	v, err := pauseScript.Run(ctx, n.rdb, []string{n.k.paused(network)}, reason, n.now().UnixMilli()).Int()
	if err != nil {
		return false, fmt.Errorf("bots: unable to pause %s: %w", network, err)
	}
	return v == 1, nil
}

// Resume lets a paused network publish again; it reports whether it was paused.
func (n *Networks) Resume(ctx context.Context, network string) (bool, error) {
	v, err := n.rdb.Del(ctx, n.k.paused(network)).Result()
	if err != nil {
		return false, fmt.Errorf("bots: unable to resume %s: %w", network, err)
	}
	return v == 1, nil
}

// Status returns one network's state.
func (n *Networks) Status(ctx context.Context, network string) (NetworkStatus, error) {
	st := NetworkStatus{Network: network}
	for _, c := range n.nets {
		if c.Name == network {
			st.Enabled, st.Preview = c.Enabled, c.Preview
		}
	}
	h, err := n.rdb.HGetAll(ctx, n.k.paused(network)).Result()
	if err != nil {
		return st, fmt.Errorf("bots: unable to read %s status: %w", network, err)
	}
	if len(h) > 0 {
		st.Paused, st.Reason = true, h["reason"]
		if ms, err := strconv.ParseInt(h["since"], 10, 64); err == nil {
			st.Since = time.UnixMilli(ms).UTC()
		}
	}
	return st, nil
}

// NetworkStatus lists the configured networks, for the dashboard's banner.
func (n *Networks) NetworkStatus(ctx context.Context) ([]NetworkStatus, error) {
	out := make([]NetworkStatus, 0, len(n.nets))
	for _, c := range n.nets {
		st, err := n.Status(ctx, c.Name)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// Hold says a network must not be sent to before until (a rate limit's reset).
func (n *Networks) Hold(ctx context.Context, network string, until time.Time) error {
	keep := max(until.Sub(n.now())+time.Minute, time.Minute)
	if err := holdScript.Run(ctx, n.rdb, []string{n.k.heldUntil(network)}, until.UnixMilli(), keep.Milliseconds()).Err(); err != nil {
		return fmt.Errorf("bots: unable to hold %s: %w", network, err)
	}
	return nil
}

// HeldUntil returns until when a network is held (zero: not held).
func (n *Networks) HeldUntil(ctx context.Context, network string) (time.Time, error) {
	v, err := n.rdb.Get(ctx, n.k.heldUntil(network)).Int64()
	if errors.Is(err, redis.Nil) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("bots: unable to read %s hold: %w", network, err)
	}
	return time.UnixMilli(v).UTC(), nil
}
