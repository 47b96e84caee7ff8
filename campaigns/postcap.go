package campaigns

import (
	"context"
	"strconv"
)

// DefaultMaxPosts is TrackerOptions.MaxPosts's default: far above what one
// delivery or poll of a healthy source fires (a few milestones), far below
// what a broken one does (thousands).
const DefaultMaxPosts = 200

// postBudget is how many more posts an ingest (or a poll's ingests) may
// create. nil means no cap. Not safe for concurrent use: one source run
// ingests one page at a time.
type postBudget struct {
	left int
	init bool
}

type budgetKey struct{}

// ShareCap makes every Ingest called with the returned context share one cap
// of posts (TrackerOptions.MaxPosts): a poll reading many pages is one
// source run, capped as a whole.
func ShareCap(ctx context.Context) context.Context {
	return context.WithValue(ctx, budgetKey{}, &postBudget{})
}

// budget is the cap this Ingest counts against: the context's shared one,
// else a new one for this call; nil without a cap.
func (t *Tracker) budget(ctx context.Context) *postBudget {
	if t.maxPosts < 0 {
		return nil
	}
	b, ok := ctx.Value(budgetKey{}).(*postBudget)
	if !ok {
		b = &postBudget{}
	}
	if !b.init {
		b.left, b.init = t.maxPosts, true
	}
	return b
}

// apply moves the milestones past the budget from Post to Record, in batch
// order, and returns them per evaluation. What is moved is only planned: the
// budget is spent by milestones actually fired (spend).
func (b *postBudget) apply(evals []Evaluation) [][]Milestone {
	if b == nil {
		return nil
	}
	capped := make([][]Milestone, len(evals))
	room := b.left
	for i := range evals {
		ev := &evals[i]
		if len(ev.Post) <= room {
			room -= len(ev.Post)
			continue
		}
		keep := max(room, 0)
		capped[i] = append(capped[i], ev.Post[keep:]...)
		ev.Record = append(ev.Record, ev.Post[keep:]...)
		ev.Post = ev.Post[:keep:keep]
		room = 0
	}
	return capped
}

func (b *postBudget) spend() {
	if b != nil {
		b.left--
	}
}

// capAt is the i-th evaluation's capped milestones (none without a cap).
func capAt(capped [][]Milestone, i int) []Milestone {
	if i < len(capped) {
		return capped[i]
	}
	return nil
}

// UnpostedProblem is how a source run reports milestones over the cap: a
// problem on the dashboard's banner and in the source's health, since a
// source that fires that much at once is usually wrong.
func UnpostedProblem(n int) string {
	return strconv.Itoa(n) + " milestones over the cap of posts per delivery or poll (campaigns.max_posts_per_delivery) recorded without a post"
}
