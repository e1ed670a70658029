package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"
)

// soak runs a reco serve child process under steady ingest and serving
// for the given duration, with periodic snapshots and a graceful restart
// half way, sampling its RSS; at the end it checks that the item counters
// match what was produced and that no request failed. Loopback only.
func soak(ctx context.Context, duration time.Duration, rate int, qps int) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "reco-soak-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	httpAddr, brokerAddr := freePort(), freePort()
	args := []string{"serve", "--data-dir", dir, "--http", httpAddr, "--embedded-broker", brokerAddr, "--snapshot-interval", "10s"}
	start := func() (*exec.Cmd, error) {
		cmd := exec.Command(exe, args...)
		logf, err := os.Create(dir + "/serve.log")
		if err != nil {
			return nil, err
		}
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		deadline := time.Now().Add(60 * time.Second)
		for time.Now().Before(deadline) {
			if resp, err := http.Get("http://" + httpAddr + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return cmd, nil
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		cmd.Process.Kill()
		return nil, fmt.Errorf("soak: server not ready within 60 s (log in %s/serve.log)", dir)
	}
	cmd, err := start()
	if err != nil {
		return err
	}
	var cmdMu sync.Mutex
	var paused atomic.Bool
	const items = 500
	var produced [items]atomic.Int64
	var sent, reqs, reqErrors atomic.Int64
	var writeFailed atomic.Bool
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var wg sync.WaitGroup

	// Ingest: batches of views with unique ids every 10 ms.
	wg.Add(1)
	go func() {
		defer wg.Done()
		w := &kafka.Writer{Addr: kafka.TCP(brokerAddr), Topic: "reco.events", Balancer: &kafka.Hash{},
			BatchTimeout: 2 * time.Millisecond, RequiredAcks: kafka.RequireAll}
		defer w.Close()
		perTick := max(1, rate/100)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for n := 0; ctx.Err() == nil; {
			<-t.C
			batch := make([]kafka.Message, 0, perTick)
			for k := 0; k < perTick; k++ {
				user := "soak-u" + strconv.Itoa(n%20000)
				v := fmt.Sprintf(`{"type":"view","user":%q,"item":"soak-i%d","ts":%d,"id":"soak-%d"}`, user, n%items, time.Now().UnixMilli(), n)
				batch = append(batch, kafka.Message{Key: []byte(user), Value: []byte(v)})
				n++
			}
			// Retry through the restart: ids make a resend harmless. A
			// batch is retried until it is written even when the run ends
			// meanwhile, so that "produced" counts exactly what the engine
			// may see (a write that timed out may still have landed).
			written := false
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
				wctx, c := context.WithTimeout(context.Background(), 5*time.Second)
				err := w.WriteMessages(wctx, batch...)
				c()
				if err == nil {
					written = true
					break
				}
				time.Sleep(200 * time.Millisecond)
			}
			if !written {
				writeFailed.Store(true)
				return
			}
			for k := range batch {
				produced[(n-len(batch)+k)%items].Add(1)
			}
			sent.Add(int64(len(batch)))
		}
	}()
	// Serving: feed requests at qps.
	wg.Add(1)
	go func() {
		defer wg.Done()
		client := &http.Client{Timeout: 5 * time.Second}
		t := time.NewTicker(time.Second / time.Duration(max(1, qps)))
		defer t.Stop()
		for i := 0; ctx.Err() == nil; i++ {
			<-t.C
			if paused.Load() {
				continue
			}
			resp, err := client.Get("http://" + httpAddr + "/v1/recommend/feed?n=10&user=soak-u" + strconv.Itoa(i%20000))
			reqs.Add(1)
			if err != nil || resp.StatusCode != 200 {
				reqErrors.Add(1)
			}
			if resp != nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
	}()
	// RSS samples every 10 s, and the restart half way.
	fmt.Printf("soak: %v, ingest %d ev/s, serving %d req/s, restart at %v\n", duration, rate, qps, duration/2)
	fmt.Printf("%8s %10s %10s %8s %8s\n", "t", "events", "requests", "errors", "rss_mib")
	t0 := time.Now()
	restarted := false
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
		cmdMu.Lock()
		rss := rssMiB(cmd.Process.Pid)
		cmdMu.Unlock()
		fmt.Printf("%8s %10d %10d %8d %8.1f\n", time.Since(t0).Round(time.Second), sent.Load(), reqs.Load(), reqErrors.Load(), rss)
		if !restarted && time.Since(t0) >= duration/2 {
			restarted = true
			paused.Store(true)
			cmdMu.Lock()
			cmd.Process.Signal(syscall.SIGTERM)
			werr := cmd.Wait()
			cmd, err = start()
			cmdMu.Unlock()
			paused.Store(false)
			if err != nil {
				cancel()
				wg.Wait()
				return err
			}
			fmt.Printf("%8s restarted (graceful stop: %v)\n", time.Since(t0).Round(time.Second), exitText(werr))
		}
	}
	wg.Wait()
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	if writeFailed.Load() {
		return fmt.Errorf("soak: a batch of events could not be written for 30 s")
	}
	// Wait for the consumer to apply everything, then compare.
	var want, got int64
	for i := range produced {
		want += produced[i].Load()
	}
	deadline := time.Now().Add(60 * time.Second)
	mismatch := ""
	for {
		got, mismatch = 0, ""
		for i := 0; i < items; i++ {
			v := viewsOf(httpAddr, "soak-i"+strconv.Itoa(i))
			got += v
			if v != produced[i].Load() && mismatch == "" {
				mismatch = fmt.Sprintf("soak-i%d: %d views, produced %d", i, v, produced[i].Load())
			}
		}
		if mismatch == "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	fmt.Printf("soak: produced %d events, engine counts %d; %d requests, %d errors\n", want, got, reqs.Load(), reqErrors.Load())
	if mismatch != "" {
		return fmt.Errorf("soak: counts differ: %s", mismatch)
	}
	if reqErrors.Load() > 0 {
		return fmt.Errorf("soak: %d of %d requests failed", reqErrors.Load(), reqs.Load())
	}
	return nil
}

func exitText(err error) string {
	if err == nil {
		return "exit 0"
	}
	return err.Error()
}

func freePort() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "127.0.0.1:0"
	}
	defer ln.Close()
	return ln.Addr().String()
}

// rssMiB reads the resident set size of pid from /proc (Linux), in MiB.
func rssMiB(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			f := strings.Fields(l)
			if len(f) >= 2 {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return kb / 1024
			}
		}
	}
	return 0
}

// viewsOf returns the lifetime views of item on the server, -1 when it
// cannot tell (server down, item unknown).
func viewsOf(httpAddr, item string) int64 {
	resp, err := http.Get("http://" + httpAddr + "/v1/items/" + item)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return -1
	}
	var info struct{ Views int64 }
	json.NewDecoder(resp.Body).Decode(&info)
	return info.Views
}
