package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// server is a reco serve child process.
type server struct {
	cmd  *exec.Cmd
	http string
	log  string
}

func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--", "serve"}, args...)...)
	cmd.Env = append(os.Environ(), "RECO_TEST_MAIN=1")
	logf, _ := os.CreateTemp(t.TempDir(), "serve-*.log")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, log: logf.Name()}
	for i, a := range args {
		if a == "--http" {
			s.http = args[i+1]
		}
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("server log:\n%s", b)
		}
	})
	waitUntil(t, 60*time.Second, "server ready", func() bool {
		resp, err := http.Get("http://" + s.http + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	})
	return s
}

func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCrashRestartCountsEveryEventOnce kills the server with SIGKILL in the
// middle of a stream of events, restarts it on the same data directory,
// re-sends a slice of the stream with the same ids, and checks every
// event was counted exactly once.
func TestCrashRestartCountsEveryEventOnce(t *testing.T) {
	const events, items = 3000, 10
	dir := t.TempDir()
	httpAddr, brokerAddr := freePort(), freePort()
	args := []string{"--data-dir", dir, "--http", httpAddr, "--embedded-broker", brokerAddr, "--snapshot-interval", "100ms"}
	srv := startServer(t, args...)

	w := &kafka.Writer{Addr: kafka.TCP(brokerAddr), Topic: "reco.events", Balancer: &kafka.Hash{},
		BatchTimeout: 2 * time.Millisecond, RequiredAcks: kafka.RequireAll, MaxAttempts: 2}
	defer w.Close()
	truth := make([]int64, items)
	msg := func(i int) kafka.Message {
		user := "u" + strconv.Itoa(i%50)
		v := fmt.Sprintf(`{"type":"view","user":%q,"item":"item-%d","ts":%d,"id":"e-%d"}`, user, i%items, 1_700_000_000_000+int64(i), i)
		return kafka.Message{Key: []byte(user), Value: []byte(v)}
	}
	// send writes events [from, to), retrying while the broker is down:
	// an event counts in the truth once, however often it is sent.
	send := func(from, to int, count bool) {
		for i := from; i < to; i += 100 {
			batch := make([]kafka.Message, 0, 100)
			for j := i; j < min(i+100, to); j++ {
				batch = append(batch, msg(j))
			}
			for attempt := 0; ; attempt++ {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				err := w.WriteMessages(ctx, batch...)
				cancel()
				if err == nil {
					break
				}
				if attempt > 200 {
					t.Fatalf("producing events %d..: %v", i, err)
				}
				time.Sleep(100 * time.Millisecond)
			}
			if count {
				for j := i; j < min(i+100, to); j++ {
					truth[j%items]++
				}
			}
		}
	}
	send(0, 1500, true)
	waitUntil(t, 30*time.Second, "some events applied and snapshotted", func() bool { return viewsOf(httpAddr, "item-0") > 0 })
	time.Sleep(300 * time.Millisecond) // let a snapshot happen mid-stream
	if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	srv.cmd.Wait()

	srv = startServer(t, args...)
	if b, _ := os.ReadFile(srv.log); !strings.Contains(string(b), "state restored from snapshot") {
		t.Fatalf("the restart did not resume from a snapshot:\n%s", b)
	}
	send(1500, events, true)
	send(1000, 2000, false) // duplicates: same ids again
	for k := 0; k < items; k++ {
		item := "item-" + strconv.Itoa(k)
		waitUntil(t, 60*time.Second, item+" caught up", func() bool { return viewsOf(httpAddr, item) >= truth[k] })
	}
	time.Sleep(500 * time.Millisecond) // anything double-counted would show by now
	for k := 0; k < items; k++ {
		if got := viewsOf(httpAddr, "item-"+strconv.Itoa(k)); got != truth[k] {
			t.Errorf("item-%d: %d views, want exactly %d", k, got, truth[k])
		}
	}

	// A graceful stop (SIGTERM) exits 0 after a final snapshot.
	srv.cmd.Process.Signal(syscall.SIGTERM)
	if err := srv.cmd.Wait(); err != nil {
		t.Fatalf("SIGTERM: %v, want exit 0", err)
	}
	srv = startServer(t, args...)
	for k := 0; k < items; k++ {
		if got := viewsOf(httpAddr, "item-"+strconv.Itoa(k)); got != truth[k] {
			t.Errorf("after a graceful restart item-%d: %d views, want %d", k, got, truth[k])
		}
	}
}
