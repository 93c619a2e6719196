package lab

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// LockPath serializes labs across test processes: every lab puts
// 198.51.100.1/24 into the root namespace, so two at once would collide.
const LockPath = "/run/crosslink-lab.lock"

// acquireLock takes an exclusive flock on path, polling until deadline (zero:
// forever). The file is opened O_CLOEXEC (Go's default), so agents do not
// inherit it and a crashed test process releases it.
func acquireLock(path string, deadline time.Time, waiting func()) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	announced := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("flock %s: %w", path, err)
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("flock %s: still held by another lab at the deadline", path)
		}
		if !announced && waiting != nil {
			waiting()
			announced = true
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// releaseLock drops the flock; closing the file would too, but say so.
func releaseLock(f *os.File) error {
	if f == nil {
		return nil
	}
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
