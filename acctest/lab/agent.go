package lab

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// AgentWait is how long Start waits for an agent to accept TCP.
const AgentWait = 10 * time.Second

// privateWireGuard gives the agent its own /var/run/wireguard: the UAPI
// socket path is hard-coded and device names repeat across hosts. `ip netns
// exec` has already unshared a slave mount namespace, so the tmpfs stays
// private; exec keeps the agent at the pid we started.
const privateWireGuard = `mount -t tmpfs crosslink /var/run/wireguard && exec "$0" "$@"`

// agentProc is one running agent.
type agentProc struct {
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{} // closed when the process has exited
	err  error         // its exit status, valid after done
}

// spawner starts agents from one locked OS thread that lives as long as the
// lab: Pdeathsig fires when the parent *thread* exits, and Go may retire
// ordinary threads, which would kill healthy agents.
type spawner struct{ reqs chan func() }

func newSpawner() *spawner {
	s := &spawner{reqs: make(chan func())}
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the lab
		for f := range s.reqs {
			f()
		}
	}()
	return s
}

func (s *spawner) do(f func()) {
	done := make(chan struct{})
	s.reqs <- func() { f(); close(done) }
	<-done
}

func (s *spawner) stop() { close(s.reqs) }

// agentArgv is the agent's command line as run inside the namespace.
func (l *Lab) agentArgv(h *Host) []string {
	var argv []string
	if l.opts.AgentCommand != nil {
		argv = l.opts.AgentCommand(l, h)
	} else {
		argv = []string{l.opts.AgentBin, "agent",
			"--listen", h.AgentAddr,
			"--cert", h.CertFile,
			"--key", h.KeyFile,
			"--client-ca", l.CAFile,
			"--state-dir", h.StateDir,
		}
	}
	return append(argv, l.opts.AgentArgs...)
}

// launch starts h's agent; its output goes to h.LogPath (appended, so a
// restarted agent's log follows the previous one).
func (l *Lab) launch(h *Host) error {
	argv := l.agentArgv(h)
	if len(argv) == 0 {
		return fmt.Errorf("agent for %s: empty command", h.Name)
	}
	log, err := os.OpenFile(h.LogPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "=== lab %s: %s: starting %q in %s\n", l.Prefix, time.Now().Format(time.RFC3339Nano), argv, h.NS)
	args := append([]string{"netns", "exec", h.NS, "sh", "-c", privateWireGuard}, argv...)
	cmd := exec.Command("ip", args...)
	cmd.Dir = h.StateDir
	cmd.Stdout, cmd.Stderr = log, log
	// Own process group, so that kill reaches anything the agent forks.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	// Under the lock, so that Close either sees this agent or stops us.
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		log.Close()
		return errClosed
	}
	l.spawner.do(func() { err = cmd.Start() })
	if err != nil {
		log.Close()
		return fmt.Errorf("agent for %s: %w", h.Name, err)
	}
	a := &agentProc{cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		a.err = cmd.Wait()
		close(a.done)
	}()
	h.agent = a
	return nil
}

// startAgents launches the hosts' agents and waits until all accept TCP.
func (l *Lab) startAgents(hosts []*Host) error {
	if !l.agents() {
		return nil
	}
	for _, h := range hosts {
		if err := l.launch(h); err != nil {
			return err
		}
	}
	if l.opts.SkipAgentWait {
		return nil
	}
	// The first failure stops the other waits: no point in sitting out
	// AgentWait for them when Start fails anyway.
	errs := make([]error, len(hosts))
	abort := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Go(func() {
			if errs[i] = l.waitAgent(h, AgentWait, abort); errs[i] != nil {
				once.Do(func() { close(abort) })
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// waitAgent waits until h's agent accepts TCP from the root namespace
// (where the provider runs), or fails early if it exits.
func (l *Lab) waitAgent(h *Host, timeout time.Duration, abort <-chan struct{}) error {
	l.mu.Lock()
	a := h.agent
	l.mu.Unlock()
	if a == nil {
		return fmt.Errorf("agent on %s: not running", h.Name)
	}
	deadline := time.Now().Add(timeout)
	for {
		select {
		case <-a.done:
			return fmt.Errorf("agent on %s exited before listening (%v); log tail:\n%s", h.Name, a.err, l.AgentLogTail(h.Name, 30))
		case <-abort:
			return nil // another agent failed; that error is the one to report
		default:
		}
		c, err := net.DialTimeout("tcp", h.AgentAddr, 500*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("agent on %s not accepting on %s after %v (%v); log tail:\n%s", h.Name, h.AgentAddr, timeout, err, l.AgentLogTail(h.Name, 30))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// StartAgent (re)starts the named host's agent, e.g. after StopAgent to
// test a restart, and waits for it unless SkipAgentWait.
func (l *Lab) StartAgent(t T, name string) {
	t.Helper()
	h, err := l.host(name)
	if err != nil {
		t.Fatal(err)
	}
	if !l.agents() {
		t.Fatalf("lab: %s: the lab has no agents (Options.AgentBin)", name)
	}
	l.mu.Lock()
	running := h.agent != nil
	l.mu.Unlock()
	if running {
		t.Fatalf("lab: agent on %s is already running", name)
	}
	if err := l.startAgents([]*Host{h}); err != nil {
		t.Fatalf("lab: %v", err)
	}
}

// StopAgent stops the named host's agent: SIGTERM to its process group,
// SIGKILL after 3s. Stopping a stopped agent does nothing.
func (l *Lab) StopAgent(name string) error {
	h, err := l.host(name)
	if err != nil {
		return err
	}
	l.mu.Lock()
	a := h.agent
	h.agent = nil
	l.mu.Unlock()
	if a == nil {
		return nil
	}
	defer a.log.Close()
	select {
	case <-a.done: // it died on its own; its pid may be reused, send nothing
		fmt.Fprintf(a.log, "=== lab: agent had exited (%v)\n", a.err)
		return nil
	default:
	}
	pgid := a.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-a.done:
	case <-time.After(3 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		select {
		case <-a.done:
		case <-time.After(5 * time.Second):
			return fmt.Errorf("agent on %s (pid %d) survived SIGKILL", name, pgid)
		}
	}
	// Anything else left in the process group (exec makes the agent the
	// leader, but it may have forked).
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	fmt.Fprintf(a.log, "=== lab: %s: agent stopped (%v)\n", time.Now().Format(time.RFC3339Nano), a.err)
	return nil
}

// AgentPID is the pid of the named host's agent, 0 if none runs.
func (l *Lab) AgentPID(name string) int {
	h := l.Host(name)
	if h == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if h.agent == nil {
		return 0
	}
	return h.agent.cmd.Process.Pid
}

// AgentLogTail returns the last n lines of the named host's agent log.
func (l *Lab) AgentLogTail(name string, n int) string {
	h := l.Host(name)
	if h == nil || h.LogPath == "" {
		return ""
	}
	f, err := os.Open(h.LogPath)
	if err != nil {
		return ""
	}
	defer f.Close()
	const max = 64 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		_, _ = f.Seek(-max, io.SeekEnd)
	}
	b, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// BuildAgent builds the provider binary (which holds the agent) once per
// test process and returns its path. The binary lives in a temp dir named
// after this process; RemoveBuild (from TestMain) removes it, and the next
// BuildAgent sweeps dirs of processes that are gone.
func BuildAgent(t T) string {
	t.Helper()
	build.once.Do(func() {
		sweepBuilds()
		root, err := ModuleRoot()
		if err != nil {
			build.err = err
			return
		}
		build.dir, err = os.MkdirTemp("", fmt.Sprintf("crosslink-lab-agent-%d-", os.Getpid()))
		if err != nil {
			build.err = err
			return
		}
		path := filepath.Join(build.dir, "terraform-provider-crosslink")
		cmd := exec.Command("go", "build", "-o", path, ".")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build in %s: %v\n%s", root, err, out)
			return
		}
		build.path = path
	})
	if build.err != nil {
		t.Fatalf("lab: building the agent: %v", build.err)
	}
	return build.path
}

// RemoveBuild removes BuildAgent's binary; call it from TestMain after
// m.Run.
func RemoveBuild() {
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
}

// sweepBuilds removes build dirs whose process no longer exists.
func sweepBuilds() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), "crosslink-lab-agent-*-*"))
	for _, d := range dirs {
		f := strings.Split(filepath.Base(d), "-")
		if len(f) < 5 {
			continue
		}
		pid, err := strconv.Atoi(f[3])
		if err != nil || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}

// ModuleRoot is the directory of this module's go.mod: found by walking up
// from the working directory (a test's package dir), else from this
// source file.
func ModuleRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for d := dir; ; d = filepath.Dir(d) {
			if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil {
				if strings.Contains(string(b), "module github.com/crosslink-net/terraform-provider-crosslink\n") {
					return d, nil
				}
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	return "", errors.New("module root (go.mod of github.com/crosslink-net/terraform-provider-crosslink) not found")
}
