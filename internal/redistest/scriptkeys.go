package redistest

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis Cluster routes a script by the keys it declares in KEYS, and Redis
// documents that a script must touch no other key; a script that builds a key
// name itself works on one node and breaks on a Cluster as soon as that key
// hashes elsewhere. So every test that takes a Client watches its scripts
// through MONITOR, which shows each EVAL/EVALSHA followed by the commands its
// script ran ("[db lua]"), and fails when one of those commands names a key
// the EVAL did not declare.

// watchScripts starts watching t's scripts, once per test.
func watchScripts(t testing.TB) {
	if _, loaded := watched.LoadOrStore(t, struct{}{}); loaded {
		return
	}
	o := opts.Simple()
	o.DisableIdentity = true
	w := &scriptWatch{db: strconv.Itoa(o.DB), marker: "redistest-end-" + randomToken()}
	conn, err := monitor(o)
	if err != nil {
		watched.Delete(t)
		t.Fatalf("redistest: unable to watch the test's scripts: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r := bufio.NewReaderSize(conn, 1<<16)
		for {
			l, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if w.feed(strings.TrimSuffix(strings.TrimPrefix(l, "+"), "\r\n")) {
				return
			}
		}
	}()
	ping := redis.NewClient(o)
	t.Cleanup(func() {
		defer watched.Delete(t)
		defer ping.Close()
		_ = ping.Echo(context.Background(), w.marker).Err()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("redistest: MONITOR never showed the end of the test: the scripts' keys were not all checked")
		}
		_ = conn.Close()
		<-done
		for _, v := range w.violations() {
			t.Error(v)
		}
	})
}

// monitor opens a connection in MONITOR mode, after its +OK.
func monitor(o *redis.Options) (net.Conn, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	var conn net.Conn
	var err error
	if o.TLSConfig != nil {
		conn, err = tls.DialWithDialer(&d, "tcp", o.Addr, o.TLSConfig)
	} else {
		conn, err = d.Dial("tcp", o.Addr)
	}
	if err != nil {
		return nil, err
	}
	var req []string
	if o.Password != "" {
		if o.Username != "" {
			req = append(req, resp("AUTH", o.Username, o.Password))
		} else {
			req = append(req, resp("AUTH", o.Password))
		}
	}
	req = append(req, resp("MONITOR"))
	if _, err := conn.Write([]byte(strings.Join(req, ""))); err != nil {
		conn.Close()
		return nil, err
	}
	// One +OK per command; an error reply fails. The bytes after them
	// (none yet: nothing is monitored before MONITOR's reply) stay unread.
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	one := make([]byte, 1)
	for range req {
		var line []byte
		for {
			if _, err := conn.Read(one); err != nil {
				conn.Close()
				return nil, err
			}
			line = append(line, one[0])
			if one[0] == '\n' {
				break
			}
		}
		if line[0] != '+' {
			conn.Close()
			return nil, fmt.Errorf("MONITOR: %s", strings.TrimSpace(string(line)))
		}
	}
	_ = conn.SetReadDeadline(time.Time{})
	return conn, nil
}

func resp(args ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	return b.String()
}

// scriptWatch follows one database's MONITOR lines.
type scriptWatch struct {
	db     string
	marker string

	mu       sync.Mutex
	declared []string // KEYS of the last EVAL/EVALSHA
	script   string   // how that EVAL names its script, for messages
	bad      []string
}

func (w *scriptWatch) violations() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.bad)
}

// add records a violation once.
func (w *scriptWatch) add(v string) {
	if !slices.Contains(w.bad, v) {
		w.bad = append(w.bad, v)
	}
}

// feed takes one MONITOR line and reports whether it is the end marker.
func (w *scriptWatch) feed(line string) bool {
	db, client, args, ok := parseMonitorLine(line)
	if !ok || db != w.db || len(args) == 0 {
		return false
	}
	name := strings.ToLower(args[0])
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case client != "lua" && name == "echo" && len(args) == 2:
		return args[1] == w.marker
	case client != "lua" && (name == "eval" || name == "evalsha" || name == "eval_ro" || name == "evalsha_ro"):
		w.declared, w.script = nil, ""
		if len(args) < 3 {
			return false
		}
		n, err := strconv.Atoi(args[2])
		if err != nil || 3+n > len(args) {
			return false
		}
		w.declared = args[3 : 3+n]
		w.script = scriptName(name, args[1])
	case client == "lua":
		keys, err := commandKeys(args)
		if err != nil {
			w.add(fmt.Sprintf("redistest: cannot tell the keys of %s run by a script: %v", args[0], err))
			return false
		}
		for _, k := range keys {
			if !slices.Contains(w.declared, k) {
				w.add(fmt.Sprintf("redistest: script %s ran %s on key %q, not one of its %d KEYS: pass every key a script touches in KEYS",
					w.script, strings.ToUpper(args[0]), k, len(w.declared)))
			}
		}
	}
	return false
}

// scriptName names a script in messages: its SHA1, or the start of its body.
func scriptName(cmd, arg string) string {
	if strings.HasPrefix(cmd, "evalsha") {
		return arg
	}
	body := strings.Join(strings.Fields(arg), " ")
	if len(body) > 60 {
		body = body[:60] + "…"
	}
	return strconv.Quote(body)
}

// parseMonitorLine splits `1700000000.123456 [0 127.0.0.1:5000] "SET" "k" "v"`.
func parseMonitorLine(line string) (db, client string, args []string, ok bool) {
	open := strings.IndexByte(line, '[')
	end := strings.Index(line, "] ")
	if open < 0 || end < open {
		return "", "", nil, false
	}
	db, client, _ = strings.Cut(line[open+1:end], " ")
	rest := line[end+2:]
	for len(rest) > 0 {
		if rest[0] == ' ' {
			rest = rest[1:]
			continue
		}
		if rest[0] != '"' {
			return "", "", nil, false
		}
		i := 1
		for i < len(rest) && rest[i] != '"' {
			if rest[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(rest) {
			return "", "", nil, false
		}
		// MONITOR quotes like sdscatrepr: \\ \" \n \r \t \a \b \xHH, all of
		// which Go's quoting reads the same way.
		s, err := strconv.Unquote(rest[:i+1])
		if err != nil {
			return "", "", nil, false
		}
		args = append(args, s)
		rest = rest[i+1:]
	}
	return db, client, args, true
}

var (
	commandsOnce sync.Once
	commands     map[string]*redis.CommandInfo
	commandsErr  error
)

// commandKeys lists the key arguments of a command, from the server's own
// COMMAND table; commands whose keys move (flag movablekeys) ask COMMAND
// GETKEYS.
func commandKeys(args []string) ([]string, error) {
	commandsOnce.Do(func() {
		o := opts.Simple()
		o.DisableIdentity = true
		c := redis.NewClient(o)
		defer c.Close()
		commands, commandsErr = c.Command(context.Background()).Result()
	})
	if commandsErr != nil {
		return nil, commandsErr
	}
	info, ok := commands[strings.ToLower(args[0])]
	if !ok {
		return nil, fmt.Errorf("unknown command")
	}
	if slices.Contains(info.Flags, "movablekeys") {
		o := opts.Simple()
		c := redis.NewClient(o)
		defer c.Close()
		a := make([]any, len(args))
		for i, s := range args {
			a[i] = s
		}
		return c.CommandGetKeys(context.Background(), a...).Result()
	}
	first, last, step := int(info.FirstKeyPos), int(info.LastKeyPos), int(info.StepCount)
	if first <= 0 || step <= 0 {
		return nil, nil
	}
	if last < 0 {
		last = len(args) + last
	}
	var keys []string
	for i := first; i <= last && i < len(args); i += step {
		keys = append(keys, args[i])
	}
	return keys, nil
}
