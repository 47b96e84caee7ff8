package campaigns

import "sync"

// scratch is the working memory of one Ingest call. Allocated afresh, it came
// to about 4 KiB per snapshot, and the garbage collector it kept busy (marking
// the state cache on every cycle) cost as much CPU as the encoding. Pooled,
// its buffers are reused by the next call.
type scratch struct {
	items  []item
	json   []byte // every snapshot's JSON, back to back
	events []byte // event JSON of the posted milestones of one write
	args   []any  // script arguments of one write
	vals   []any  // op values of one snapshot
	ops    []byte
	seen   map[string]int
	states []stored
	evals  []Evaluation
}

var scratchPool = sync.Pool{New: func() any { return &scratch{seen: make(map[string]int)} }}

// maxPooledBytes and maxPooledItems bound the buffers kept for reuse: those
// grown for an unusually big batch (an import) are left to the garbage
// collector.
const (
	maxPooledBytes = 16 << 20
	maxPooledItems = 10_000
)

func getScratch() *scratch { return scratchPool.Get().(*scratch) }

// release returns s to the pool, dropping what it references: nothing of a
// batch must outlive its Ingest call through the pool.
func (s *scratch) release() {
	if cap(s.json)+cap(s.events) > maxPooledBytes || cap(s.items) > maxPooledItems {
		return
	}
	clear(s.items)
	clear(s.args)
	clear(s.vals)
	clear(s.seen)
	clear(s.states)
	clear(s.evals)
	s.items, s.json, s.events, s.args, s.vals, s.ops = s.items[:0], s.json[:0], s.events[:0], s.args[:0], s.vals[:0], s.ops[:0]
	s.states, s.evals = s.states[:0], s.evals[:0]
	scratchPool.Put(s)
}

// grow returns b with room for n more elements without reallocating.
func grow[T any](b []T, n int) []T {
	if cap(b)-len(b) < n {
		nb := make([]T, len(b), len(b)+n)
		copy(nb, b)
		return nb
	}
	return b
}
