package tfcli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// KillProvider sends SIGKILL to the provider processes the CLI process cli
// started (its children running w.Provider) and returns how many it killed.
func (w *Workdir) KillProvider(cli int) (int, error) {
	pids, err := w.providerPIDs(cli)
	if err != nil {
		return 0, err
	}
	for _, pid := range pids {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			return 0, fmt.Errorf("killing provider %d: %w", pid, err)
		}
	}
	return len(pids), nil
}

// providerPIDs lists cli's child processes whose executable is the
// provider build, from /proc.
func (w *Workdir) providerPIDs(cli int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	want, err := filepath.EvalSymlinks(w.Provider)
	if err != nil {
		return nil, err
	}
	var out []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if parent(pid) != cli {
			continue
		}
		if exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); err == nil && exe == want {
			out = append(out, pid)
		}
	}
	return out, nil
}

// parent reads the parent pid from /proc/<pid>/stat; the command name in
// parentheses may hold spaces, so the fields after the last ')' are used.
func parent(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return -1
	}
	ppid, err := strconv.Atoi(f[1])
	if err != nil {
		return -1
	}
	return ppid
}
