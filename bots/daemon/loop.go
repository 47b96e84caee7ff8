package daemon

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"
)

// Go runs fn as a long-lived loop owned by the daemon (e.g. a stream consumer):
// restarted after an error or a panic with a growing pause, stopped by Shutdown
// after cron, and waited for. It must return when ctx is done.
func (d *Daemon) Go(name string, fn func(ctx context.Context) error) {
	d.loops.Add(1)
	go func() {
		defer d.loops.Done()
		log := d.opts.Logger.With("loop", name)
		pause := time.Second
		for d.loopCtx.Err() == nil {
			err := d.runLoop(fn)
			if d.loopCtx.Err() != nil {
				return
			}
			log.Error("loop stopped; restarting", "error", err, "restart_in", pause.String())
			select {
			case <-d.loopCtx.Done():
				return
			case <-time.After(pause):
			}
			pause = min(pause*2, time.Minute)
		}
	}()
}

func (d *Daemon) runLoop(fn func(ctx context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	if err := fn(d.loopCtx); err != nil {
		return err
	}
	return fmt.Errorf("loop returned without error before shutdown")
}
