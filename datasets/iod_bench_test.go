package datasets

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"hubreach/internal/store"
)

// BenchmarkLoadIoDNational loads the whole IoD2019 national set (Files 1, 3, 6 and 8, 4 × 32,844
// rows) into a fresh in-memory store per iteration. Metrics: rows/s (rows read over all files),
// cpu-ms/op (user + system CPU time of the process, all threads: steadier than ns/op on a busy machine),
// peak-heap-MB (Go heap in use, sampled every millisecond during the loads) and peak-RSS-MB (the
// process's resident peak during the loads, DuckDB's C memory included; Linux only).
func BenchmarkLoadIoDNational(b *testing.B) {
	dir := iodSharedData(b, "iod2019")
	files := iodPaths(dir, iod19File1, iod19File3, iod19File6, iod19File8)
	ctx := context.Background()
	runtime.GC()
	resetPeakRSS()
	sampler := startHeapSampler()
	cpu0 := cpuTime()
	var rows int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db, err := store.Open(ctx, "")
		if err != nil {
			b.Fatal(err)
		}
		reps, err := LoadIoD(ctx, db, IoDSpec{Files: files, Area: AreaFilter{Codes: []string{"E08000018"}}})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range reps {
			rows += r.Read
		}
		db.Close()
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	peakHeap := sampler.stop()
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peakHeap)/(1<<20), "peak-heap-MB")
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MB")
	}
}

type heapSampler struct {
	done chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

// startHeapSampler samples the Go heap (live and not yet swept objects) every millisecond.
func startHeapSampler() *heapSampler {
	s := &heapSampler{done: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > s.peak {
			s.peak = v
		}
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				read()
				return
			case <-t.C:
				read()
			}
		}
	}()
	return s
}

func (s *heapSampler) stop() uint64 {
	close(s.done)
	s.wg.Wait()
	return s.peak
}

// cpuTime is the user + system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets the kernel's peak resident set size of this process (VmHWM), where allowed.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS reads VmHWM from /proc/self/status.
func peakRSS() (uint64, bool) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
