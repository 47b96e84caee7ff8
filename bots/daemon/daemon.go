// Package daemon runs Fanfare's periodic jobs on robfig/cron. Each tick of a
// job is claimed in Redis by exactly one replica, and a renewed lease keeps a
// slow run from overlapping the next tick anywhere, so several `fanfare run`
// processes can share one Redis.
package daemon

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"github.com/robfig/cron/v3"

	"github.com/fanfarehq/fanfare/internal/cronspec"
)

// Job is one periodic task.
type Job struct {
	Name string // snake_case, unique: names locks, metrics and logs
	Spec string // cron spec (cronspec.Parse)
	Run  func(ctx context.Context) error
	// Timeout bounds one run; its context is canceled after it. Default 5m.
	Timeout time.Duration
}

// Options configure a Daemon.
type Options struct {
	Prefix   string
	Location *time.Location // the platform's time zone for spec schedules
	Logger   *slog.Logger
	Now      func() time.Time
	// Registerer receives the job metrics; nil registers nothing.
	Registerer prometheus.Registerer
	// Lease is the running lock's lease, renewed every Lease/3. Default 30s.
	Lease time.Duration
}

// Daemon owns the cron scheduler and the jobs registered on it.
type Daemon struct {
	rdb    redis.UniversalClient
	opts   Options
	holder string
	cron   *cron.Cron

	baseCtx    context.Context
	cancelBase context.CancelFunc
	loopCtx    context.Context
	cancelLoop context.CancelFunc
	loops      sync.WaitGroup

	mu      sync.Mutex
	jobs    map[string]*registered
	started bool

	runs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

type registered struct {
	job      Job
	schedule cron.Schedule
	running  time.Time // zero when idle here
}

// Results counted in fanfare_job_runs_total.
const (
	resultOK      = "ok"
	resultError   = "error"
	resultPanic   = "panic"
	resultTaken   = "taken" // another replica claimed the tick
	resultBusy    = "busy"  // the previous run still holds the lease
	resultNoRedis = "redis_error"
)

// New makes a daemon; add jobs, then Start.
func New(rdb redis.UniversalClient, opts Options) *Daemon {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	host, _ := os.Hostname()
	d := &Daemon{
		rdb:    rdb,
		opts:   opts,
		holder: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), randomToken()[:8]),
		cron:   cron.New(cron.WithLocation(opts.Location)),
		jobs:   map[string]*registered{},
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fanfare_job_runs_total",
			Help: "Job ticks by outcome: ok, error, panic, taken (another replica ran it), busy (previous run still going), redis_error.",
		}, []string{"job", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fanfare_job_duration_seconds",
			Help:    "Duration of job runs on this replica.",
			Buckets: prometheus.ExponentialBuckets(0.005, 3, 10),
		}, []string{"job"}),
	}
	d.baseCtx, d.cancelBase = context.WithCancel(context.Background())
	d.loopCtx, d.cancelLoop = context.WithCancel(context.Background())
	if opts.Registerer != nil {
		opts.Registerer.MustRegister(d.runs, d.duration)
	}
	return d
}

// Holder names this replica in locks and logs.
func (d *Daemon) Holder() string { return d.holder }

// Add registers a job. A bad spec is an error naming the job.
func (d *Daemon) Add(j Job) error {
	if j.Name == "" || j.Run == nil {
		return errors.New("daemon: a job needs a name and a Run function")
	}
	if j.Timeout <= 0 {
		j.Timeout = 5 * time.Minute
	}
	s, err := cronspec.Parse(j.Spec)
	if err != nil {
		return fmt.Errorf("daemon: job %s: %w", j.Name, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.started {
		return fmt.Errorf("daemon: job %s added after Start", j.Name)
	}
	if _, dup := d.jobs[j.Name]; dup {
		return fmt.Errorf("daemon: job %s registered twice", j.Name)
	}
	r := &registered{job: j, schedule: s}
	d.jobs[j.Name] = r
	d.cron.Schedule(s, cron.FuncJob(func() { d.tick(r) }))
	return nil
}

// Start starts the scheduler.
func (d *Daemon) Start() {
	d.mu.Lock()
	d.started = true
	d.mu.Unlock()
	d.cron.Start()
	d.opts.Logger.Info("daemon started", "jobs", len(d.jobs), "holder", d.holder, "timezone", d.opts.Location.String())
}

// Shutdown stops scheduling, waits for running jobs until ctx ends, then
// cancels their contexts and waits briefly for them to return. Loops started
// with Go stop after the jobs: jobs produce what loops consume.
func (d *Daemon) Shutdown(ctx context.Context) error {
	err := d.stopJobs(ctx)
	d.cancelLoop()
	loopsDone := make(chan struct{})
	go func() { d.loops.Wait(); close(loopsDone) }()
	select {
	case <-loopsDone:
	case <-time.After(5 * time.Second):
		err = errors.Join(err, errors.New("daemon: loops did not stop within 5s"))
	}
	return err
}

func (d *Daemon) stopJobs(ctx context.Context) error {
	done := d.cron.Stop().Done()
	select {
	case <-done:
		d.cancelBase()
		return nil
	case <-ctx.Done():
	}
	d.opts.Logger.Warn("daemon: jobs still running at shutdown deadline; canceling them")
	d.cancelBase()
	select {
	case <-done:
		return nil
	case <-time.After(5 * time.Second):
		return errors.New("daemon: jobs did not stop after cancellation")
	}
}

// RunNow runs a job's current tick immediately (still under the locks), for
// tests and manual triggers.
func (d *Daemon) RunNow(name string) error {
	d.mu.Lock()
	r, ok := d.jobs[name]
	d.mu.Unlock()
	if !ok {
		return fmt.Errorf("daemon: no job named %s", name)
	}
	d.tick(r)
	return nil
}

// Healthy reports an error when the daemon is not running or a job has been
// running here for more than twice its timeout (stuck).
func (d *Daemon) Healthy() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.started {
		return errors.New("jobs not started")
	}
	if d.baseCtx.Err() != nil {
		return errors.New("jobs stopped")
	}
	now := d.opts.Now()
	for name, r := range d.jobs {
		if !r.running.IsZero() && now.Sub(r.running) > 2*r.job.Timeout {
			return fmt.Errorf("job %s has been running for %s", name, now.Sub(r.running).Round(time.Second))
		}
	}
	return nil
}

// tick runs one scheduled tick of r if this replica claims it.
func (d *Daemon) tick(r *registered) {
	name := r.job.Name
	log := d.opts.Logger.With("job", name)
	tick := cronspec.Tick(r.schedule, d.opts.Now())

	ctx, cancel := context.WithTimeout(d.baseCtx, 5*time.Second)
	claimed, err := d.rdb.SetNX(ctx, tickKey(d.opts.Prefix, name, tick), d.holder, 10*time.Minute).Result()
	cancel()
	if err != nil {
		d.runs.WithLabelValues(name, resultNoRedis).Inc()
		log.Warn("job tick not run: redis unavailable", "tick", tick, "error", err)
		return
	}
	if !claimed {
		d.runs.WithLabelValues(name, resultTaken).Inc()
		return
	}

	runCtx, cancelRun := context.WithTimeout(d.baseCtx, r.job.Timeout)
	defer cancelRun()
	l, ok, err := acquire(runCtx, d.rdb, runKey(d.opts.Prefix, name), d.holder+"/"+randomToken()[:8], d.opts.Lease, func() {
		log.Error("job lease lost while running; canceling it", "tick", tick)
		cancelRun()
	})
	if err != nil {
		d.runs.WithLabelValues(name, resultNoRedis).Inc()
		log.Warn("job tick not run: redis unavailable", "tick", tick, "error", err)
		return
	}
	if !ok {
		d.runs.WithLabelValues(name, resultBusy).Inc()
		log.Debug("job tick skipped: previous run still going", "tick", tick)
		return
	}
	defer l.release()

	d.setRunning(r, d.opts.Now())
	defer d.setRunning(r, time.Time{})
	start := time.Now()
	result := d.runProtected(runCtx, r.job, log)
	elapsed := time.Since(start)
	d.duration.WithLabelValues(name).Observe(elapsed.Seconds())
	d.runs.WithLabelValues(name, result).Inc()

	rctx, rcancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer rcancel()
	_ = d.rdb.HSet(rctx, lastRunKey(d.opts.Prefix), name,
		fmt.Sprintf("%d|%s|%s", d.opts.Now().UnixMilli(), result, d.holder)).Err()
}

func (d *Daemon) runProtected(ctx context.Context, j Job, log *slog.Logger) (result string) {
	defer func() {
		if p := recover(); p != nil {
			log.Error("job panicked", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			result = resultPanic
		}
	}()
	if err := j.Run(ctx); err != nil {
		log.Error("job failed", "error", err)
		return resultError
	}
	return resultOK
}

func (d *Daemon) setRunning(r *registered, t time.Time) {
	d.mu.Lock()
	r.running = t
	d.mu.Unlock()
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
