package content

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/fanfarehq/fanfare/internal/redistest"
)

// BenchmarkPlatforms measures the queue's write rate (create, approve,
// claim, complete: the publishing path of one post) with every goroutine
// writing for one of k platforms (prefixes), and reports how the keys
// spread over the servers: on a Cluster (FANFARE_TEST_REDIS_CLUSTER=1) each
// platform's keys sit in the slot of its "{prefix}" hash tag, so k platforms
// chosen on different masters use k masters, one platform uses one.
//
//	FANFARE_TEST_REDIS_CLUSTER=1 go test -run '^$' -bench Platforms -benchtime 3000x ./content/
func BenchmarkPlatforms(b *testing.B) {
	for _, k := range []int{1, 3} {
		b.Run(fmt.Sprintf("platforms=%d", k), func(b *testing.B) {
			ctx := context.Background()
			rdb := redistest.Client(b)
			c := newClock()
			stores := make([]*Store, k)
			for i, p := range platformPrefixes(k) {
				s, err := NewStore(rdb, p, StoreOptions{Now: c.Now})
				if err != nil {
					b.Fatal(err)
				}
				stores[i] = s
			}
			var n atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					s := stores[int(i)%k]
					p, _, err := s.Create(ctx, draft(fmt.Sprint("p", i)))
					if err == nil {
						_, err = s.Approve(ctx, p.ID, "ann")
					}
					if err == nil {
						err = s.ReserveSlot(ctx, p.ID, c.Now(), "now", SlotGuard{})
					}
					if err == nil {
						_, err = s.Claim(ctx, p.ID, "a", 60e9)
					}
					if err == nil {
						_, err = s.Complete(ctx, p.ID, "a", Outcome{State: StatePublished, ExternalID: "1"})
					}
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "posts/s")
			b.StopTimer()
			if cc, ok := rdb.(*redis.ClusterClient); ok {
				var total, top int64
				_ = cc.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
					n := m.DBSize(ctx).Val()
					atomic.AddInt64(&total, n)
					for {
						t := atomic.LoadInt64(&top)
						if n <= t || atomic.CompareAndSwapInt64(&top, t, n) {
							break
						}
					}
					return nil
				})
				if total > 0 {
					b.ReportMetric(100*float64(top)/float64(total), "%keys_on_busiest_master")
				}
			}
		})
	}
}

// platformPrefixes returns k prefixes whose hash tags fall in different
// thirds of the 16,384 slots: on three masters splitting the slots evenly
// (redis-cli --cluster create), each on its own master.
func platformPrefixes(k int) []string {
	var out []string
	third := map[int]bool{}
	for i := 0; len(out) < k; i++ {
		p := fmt.Sprint("platform-", i)
		t := int(keySlot(p)) * 3 / 16384
		if !third[t] {
			third[t] = true
			out = append(out, p)
		}
	}
	return out
}

// keySlot is Redis Cluster's slot of a hash tag: CRC16 (XMODEM) mod 16384.
func keySlot(tag string) uint16 {
	var crc uint16
	for i := 0; i < len(tag); i++ {
		crc ^= uint16(tag[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc % 16384
}

// keySlot must agree with the server's CLUSTER KEYSLOT (values read from
// Redis 7.0 and its documentation).
func TestKeySlot(t *testing.T) {
	for tag, want := range map[string]uint16{"123456789": 12739, "somekey": 11058, "hash_tag": 2515, "fanfare": 7899, "platform-0": 874} {
		if got := keySlot(tag); got != want {
			t.Errorf("keySlot(%q) = %d, want %d", tag, got, want)
		}
	}
}
