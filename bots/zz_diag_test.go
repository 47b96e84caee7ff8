package bots

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/fanfarehq/fanfare/content"
)

func TestZZDiag(t *testing.T) {
	p := ciSimulation()
	p.days = 2
	p.campaigns = 20000
	p.caps = map[string]int{"x": 50, "facebook": 25}
	simDiag = func(store *content.Store, lost map[string][]string) {
		ctx := context.Background()
		reasons := map[string]int{}
		n := 0
		for key, covers := range lost {
			_ = covers
			parts := strings.SplitN(key, "|", 3)
			ps, _, _ := store.List(ctx, content.ListOptions{CampaignID: parts[1], Network: parts[0], Limit: 100})
			found := false
			for _, p := range ps {
				if p.Covering(parts[1], parts[2]) {
					full, _ := store.Get(ctx, p.ID)
					r := string(full.State) + " " + string(full.Kind) + " " + trimNum(full.LastError)
					if n < 12 && full.FoldedInto == "" && full.State == content.StateExpired {
						n++
						fmt.Println("LOST", key, "lang", full.Lang, "prio", full.Priority, "created", full.CreatedAt.In(paris()).Format("01-02 15:04"), "not_after", full.NotAfter.In(paris()).Format("01-02 15:04"), "sched", full.ScheduledAt, "note", full.SlotNote)
					}
					if full.FoldedInto != "" {
						d, _ := store.Get(ctx, full.FoldedInto)
						r += " -> digest " + string(d.State) + " " + trimNum(d.LastError)
						if n < 5 && d.State == content.StatePublished {
							n++
							fmt.Println("DETAIL", key, "member na", full.NotAfter, "digest published", d.PublishedAt, "created", d.CreatedAt, "folded at", full.UpdatedAt)
						}
					}
					reasons[r]++
					found = true
				}
			}
			if !found {
				reasons["no post"]++
			}
		}
		ds, _, _ := store.List(ctx, content.ListOptions{Kind: content.KindDigest, Limit: 500})
		for _, d := range ds {
			if d.State == content.StateApproved {
				full, _ := store.Get(ctx, d.ID)
				for _, a := range full.Audit {
					fmt.Println("AUDIT", d.Network, d.Lang, a.At.In(paris()).Format("01-02 15:04"), a.Action, a.From, a.To, trimNum(a.Reason), len(a.Reason))
				}
			}
			fmt.Println("DIGEST", d.Network, d.Lang, d.State, "created", d.CreatedAt.In(paris()).Format("01-02 15:04"), "sched", d.ScheduledAt.In(paris()).Format("01-02 15:04"), "pub", d.PublishedAt.In(paris()).Format("01-02 15:04"), "na", d.NotAfter.In(paris()).Format("01-02 15:04"), len(d.Covers), trimNum(d.LastError))
		}
		var keys []string
		for k := range reasons {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Println(reasons[k], k)
		}
	}
	r := runPlatformSimulation(t, p)
	r.log(t, p)
	_ = time.Now
}

func trimNum(s string) string {
	if i := strings.IndexAny(s, "0123456789"); i > 0 {
		return s[:i]
	}
	return s
}

func paris() *time.Location { l, _ := time.LoadLocation("Europe/Paris"); return l }

func init() {
	simLog = slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
