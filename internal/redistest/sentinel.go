package redistest

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// FailoverGroup is a primary with one replica, watched by three Sentinels:
// the smallest Redis that survives the loss of its primary.
type FailoverGroup struct {
	Master    string // the name the Sentinels know the primary by
	Primary   *Server
	Replica   *Server
	Sentinels []*Server
}

// URL is the group as a redis.url (Sentinel form).
func (g *FailoverGroup) URL() string {
	u := "redis://" + g.Sentinels[0].Addr() + "?master_name=" + g.Master
	for _, s := range g.Sentinels[1:] {
		u += "&addr=" + s.Addr()
	}
	return u
}

// StartFailoverGroup starts the group (private servers, stopped with the
// test) and waits until the replica is in sync and every Sentinel knows the
// replica and the other Sentinels, so that a failover can happen. A Sentinel
// counts the primary down after downAfter without an answer.
func StartFailoverGroup(t testing.TB, downAfter time.Duration) *FailoverGroup {
	t.Helper()
	g := &FailoverGroup{Master: "fanfare-test"}
	var err error
	if g.Primary, err = StartServer(); err != nil {
		t.Fatalf("redistest: primary: %v", err)
	}
	t.Cleanup(g.Primary.Stop)
	if g.Replica, err = StartServer("replicaof 127.0.0.1 " + strconv.Itoa(g.Primary.Port)); err != nil {
		t.Fatalf("redistest: replica: %v", err)
	}
	t.Cleanup(g.Replica.Stop)
	for range 3 {
		s, err := StartSentinel(
			fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 2", g.Master, g.Primary.Port),
			fmt.Sprintf("sentinel down-after-milliseconds %s %d", g.Master, downAfter.Milliseconds()),
			fmt.Sprintf("sentinel failover-timeout %s 10000", g.Master),
			fmt.Sprintf("sentinel parallel-syncs %s 1", g.Master))
		if err != nil {
			t.Fatalf("redistest: sentinel: %v", err)
		}
		t.Cleanup(s.Stop)
		g.Sentinels = append(g.Sentinels, s)
	}
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	ready := func() (bool, string) {
		rc := redis.NewClient(&redis.Options{Addr: g.Replica.Addr(), DisableIdentity: true})
		defer rc.Close()
		info, err := rc.Info(ctx, "replication").Result()
		if err != nil || !strings.Contains(info, "master_link_status:up") {
			return false, "the replica is not in sync yet"
		}
		for _, s := range g.Sentinels {
			sc := redis.NewSentinelClient(&redis.Options{Addr: s.Addr(), DisableIdentity: true})
			replicas, err1 := sc.Replicas(ctx, g.Master).Result()
			others, err2 := sc.Sentinels(ctx, g.Master).Result()
			sc.Close()
			if err1 != nil || err2 != nil || len(replicas) != 1 || len(others) != len(g.Sentinels)-1 {
				return false, fmt.Sprintf("sentinel %s knows %d replica(s) and %d other sentinel(s) (%v %v)", s.Addr(), len(replicas), len(others), err1, err2)
			}
		}
		return true, ""
	}
	for {
		ok, why := ready()
		if ok {
			return g
		}
		if time.Now().After(deadline) {
			t.Fatalf("redistest: the failover group is not ready after 30s: %s", why)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// PrimaryAddr asks a Sentinel which server is the primary now.
func (g *FailoverGroup) PrimaryAddr(ctx context.Context) (string, error) {
	sc := redis.NewSentinelClient(&redis.Options{Addr: g.Sentinels[0].Addr(), DisableIdentity: true})
	defer sc.Close()
	a, err := sc.GetMasterAddrByName(ctx, g.Master).Result()
	if err != nil {
		return "", err
	}
	return strings.Join(a, ":"), nil
}
