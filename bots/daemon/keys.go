package daemon

import (
	"strconv"
	"time"

	"github.com/fanfarehq/fanfare/internal/keyspace"
)

// Every key lives under the project-wide hash tag {prefix}.

// tickKey is claimed (SET NX) by the one replica that runs a job's tick.
func tickKey(prefix, job string, tick time.Time) string {
	return keyspace.Base(prefix) + "lock:tick:" + job + ":" + strconv.FormatInt(tick.UnixMilli(), 10)
}

// runKey is held, with a renewed lease, while a job runs anywhere, so that a
// slow tick never overlaps the next one on another replica.
func runKey(prefix, job string) string {
	return keyspace.Base(prefix) + "lock:run:" + job
}

// lastRunKey records each job's last finished run, for the dashboard and readyz.
func lastRunKey(prefix string) string {
	return keyspace.Base(prefix) + "jobs:last"
}
