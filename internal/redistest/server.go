package redistest

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// envSupervise marks the test binary run again as a server's supervisor.
const envSupervise = "FANFARE_TEST_REDIS_SUPERVISE"

// Server is a private redis-server (or redis-sentinel) process.
type Server struct {
	Port int
	Dir  string // its working directory: config, log
	cmd  *exec.Cmd
	keep io.WriteCloser // the supervisor's stdin: closing it stops the server
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// URL is the server's database 0 as a redis.url.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Log returns the server's log, for failure messages.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "redis.log"))
	return string(b)
}

// Stop stops the server and its supervisor and removes its directory.
func (s *Server) Stop() {
	_ = s.keep.Close()
	_ = s.cmd.Wait()
	_ = os.RemoveAll(s.Dir)
}

// Kill stops the server at once, as a crash would (SIGKILL), leaving its
// directory; the supervisor then exits.
func (s *Server) Kill() error {
	if err := s.Signal(syscall.SIGKILL); err != nil {
		return err
	}
	_ = s.cmd.Wait()
	return nil
}

// Signal sends sig to the server process: SIGSTOP and SIGCONT freeze and
// thaw it, as a stalled machine would (it keeps its connections).
func (s *Server) Signal(sig syscall.Signal) error {
	pid, err := os.ReadFile(filepath.Join(s.Dir, "redis.pid"))
	if err != nil {
		return fmt.Errorf("redistest: no pid file for the server on port %d: %w", s.Port, err)
	}
	n, err := strconv.Atoi(string(trimSpace(pid)))
	if err != nil {
		return fmt.Errorf("redistest: bad pid file for the server on port %d: %w", s.Port, err)
	}
	if err := syscall.Kill(n, sig); err != nil {
		return fmt.Errorf("redistest: signal %v to the server on port %d: %w", sig, s.Port, err)
	}
	return nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// StartServer starts a private redis-server on a free port (no persistence)
// with extra configuration lines (e.g. "replicaof 127.0.0.1 6379"), and
// waits until it answers.
func StartServer(conf ...string) (*Server, error) {
	return start(false, conf)
}

// StartSentinel starts a Sentinel (redis-server --sentinel) on a free port
// with the given configuration lines (e.g. "sentinel monitor ...").
func StartSentinel(conf ...string) (*Server, error) {
	return start(true, conf)
}

func start(sentinel bool, conf []string) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server not found on PATH: install it (apt-get install -y redis-server) or set %s", EnvURL)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("unable to find the test binary to supervise redis-server: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("no free port: %w", err)
	}
	dir, err := os.MkdirTemp("", "redistest-*")
	if err != nil {
		return nil, err
	}
	lines := []string{
		"port " + strconv.Itoa(port), "bind 127.0.0.1", `dir "` + dir + `"`,
		`logfile "` + filepath.Join(dir, "redis.log") + `"`, `pidfile "` + filepath.Join(dir, "redis.pid") + `"`,
		"daemonize no",
	}
	if !sentinel {
		lines = append(lines, `save ""`, "appendonly no")
	}
	lines = append(lines, conf...)
	cfg := filepath.Join(dir, "redis.conf")
	if err := os.WriteFile(cfg, []byte(joinLines(lines)), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	args := []string{bin, cfg}
	if sentinel {
		args = append(args, "--sentinel")
	}
	// The supervisor is this test binary again: it starts redis-server and
	// stops it when its stdin, a pipe whose other end only this process
	// holds, closes.
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), envSupervise+"="+dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	keep, err := cmd.StdinPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start redis-server: %w", err)
	}
	s := &Server{Port: port, Dir: dir, cmd: cmd, keep: keep}
	c := redis.NewClient(&redis.Options{Addr: s.Addr(), DisableIdentity: true})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = c.Ping(ctx).Err()
		cancel()
		if err == nil {
			if _, err := os.Stat(filepath.Join(dir, "redis.pid")); err == nil {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			log := s.Log()
			s.Stop()
			return nil, fmt.Errorf("redis-server on port %d did not answer within 10s: %v\n%s", port, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func joinLines(lines []string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}

// supervise is the supervisor's main: it runs redis-server (os.Args[1:]) and
// stops it when stdin reaches its end, which happens when the test process
// exits for whatever reason (the kernel closes its end of the pipe). It also
// exits when redis-server does.
func supervise() int {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "redistest: supervisor without a command")
		return 2
	}
	// A Ctrl-C reaches the whole process group: the test process ends,
	// and with it the pipe, which is how the supervisor learns it.
	signal.Ignore(os.Interrupt)
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "redistest: start %s: %v\n", os.Args[1], err)
		return 2
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	parentGone := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(parentGone)
	}()
	select {
	case <-exited:
		// Killed on purpose (Server.Kill) or crashed: nothing to stop, and
		// the test still owns the directory.
		return 0
	case <-parentGone:
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if dir := os.Getenv(envSupervise); strings.HasPrefix(filepath.Base(dir), "redistest-") {
			_ = os.RemoveAll(dir)
		}
		return 0
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
