package importer

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY returns both ends of a new pseudo-terminal, so the progress bar can
// be tested on a real terminal device.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal on this machine (%v): the terminal bar is untested here", err)
	}
	t.Cleanup(func() { master.Close() })
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

func TestProgressBarOnTerminal(t *testing.T) {
	master, slave := openPTY(t)
	var rows strings.Builder
	rows.WriteString("ID,name,category,main_category,currency,deadline,goal,launched,pledged,state,backers\n")
	for i := range 1200 {
		fmt.Fprintf(&rows, "%d,P%d,c,Games,USD,2017-12-01,100.00,2017-11-01 00:00:00,5.00,live,1\n", i+1, i)
	}
	body := rows.String()
	sum, err := Import(t.Context(), strings.NewReader(body), Options{Progress: slave, Size: int64(len(body)),
		Now: func() time.Time { return testNow }}, &recorder{})
	if err != nil || sum.Accepted != 1200 {
		t.Fatalf("%+v %v", sum, err)
	}
	if err := master.SetReadDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	buf := make([]byte, 4096)
	for !bytes.Contains(out.Bytes(), []byte("1200 rows")) {
		n, err := master.Read(buf)
		if err != nil {
			t.Fatalf("reading the terminal: %v; got %q", err, out.String())
		}
		out.Write(buf[:n])
	}
	got := out.String()
	// Redrawn in place at 500 and 1000 rows, then once at the end.
	if strings.Count(got, "\r\033[K") != 3 || !strings.Contains(got, "[##############################] 100%") ||
		!strings.Contains(got, "500 rows, 500 accepted, 0 rejected") {
		t.Errorf("terminal output = %q", got)
	}
}
