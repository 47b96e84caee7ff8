package redistest

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// EnvCluster, set to 1, makes Run start a private Redis Cluster of three
// masters for the package instead of one server: the storage tests then run
// as they would on a production Cluster (scripts/test does this in its
// cluster pass).
const EnvCluster = "FANFARE_TEST_REDIS_CLUSTER"

// Cluster is a private Redis Cluster.
type Cluster struct {
	Masters []*Server
}

// URL is the cluster as a redis.url (seed nodes).
func (c *Cluster) URL() string {
	u := "redis://" + c.Masters[0].Addr() + "?addr=" + c.Masters[1].Addr()
	for _, m := range c.Masters[2:] {
		u += "&addr=" + m.Addr()
	}
	return u
}

// Stop stops every node.
func (c *Cluster) Stop() {
	for _, m := range c.Masters {
		m.Stop()
	}
}

// StartCluster starts n cluster-enabled redis-servers, joins them with
// `redis-cli --cluster create` (n masters, no replicas, the slots split
// evenly) and waits until every node says the cluster is ok.
func StartCluster(n int) (*Cluster, error) {
	if n < 3 {
		return nil, fmt.Errorf("a Redis Cluster needs at least 3 masters, not %d", n)
	}
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		return nil, fmt.Errorf("redis-cli not found on PATH: install it (apt-get install -y redis-tools)")
	}
	c := &Cluster{}
	for range n {
		s, err := StartServer("cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout 5000")
		if err != nil {
			c.Stop()
			return nil, err
		}
		c.Masters = append(c.Masters, s)
	}
	args := []string{"--cluster", "create"}
	for _, m := range c.Masters {
		args = append(args, m.Addr())
	}
	args = append(args, "--cluster-yes")
	if out, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		c.Stop()
		return nil, fmt.Errorf("redis-cli --cluster create: %v\n%s", err, out)
	}
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for _, m := range c.Masters {
		rc := redis.NewClient(&redis.Options{Addr: m.Addr(), DisableIdentity: true})
		for {
			info, err := rc.ClusterInfo(ctx).Result()
			if err == nil && strings.Contains(info, "cluster_state:ok") && strings.Contains(info, fmt.Sprintf("cluster_known_nodes:%d", n)) {
				break
			}
			if time.Now().After(deadline) {
				rc.Close()
				c.Stop()
				return nil, fmt.Errorf("the cluster is not ok after 30s on %s: %v\n%s", m.Addr(), err, info)
			}
			time.Sleep(50 * time.Millisecond)
		}
		rc.Close()
	}
	return c, nil
}
