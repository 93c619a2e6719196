package emulator

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// T is what StartProcess needs of its caller: a *testing.T or *testing.B,
// or a program such as the demo.
type T interface {
	Helper()
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// ProcessOptions are the emulator command's flags.
type ProcessOptions struct {
	Delay, OpDelay time.Duration
	AWSCredentials map[string]string // access key → secret
	GCPTokens      []string
}

var build struct {
	once      sync.Once
	path, dir string
	err       error
}

// Binary builds acctest/cmd/emulator once per process and returns its path.
func Binary(root string) (string, error) {
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "crosslink-emulator-")
		if build.err != nil {
			return
		}
		build.path = filepath.Join(build.dir, "emulator")
		cmd := exec.Command("go", "build", "-o", build.path, "./acctest/cmd/emulator")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build ./acctest/cmd/emulator: %v\n%s", err, out)
		}
	})
	return build.path, build.err
}

// RemoveBinary removes Binary's build; call it from TestMain after m.Run.
func RemoveBinary() {
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
}

// StartProcess runs the emulator command (built from the module at root)
// and returns a client of it; the process is stopped at cleanup.
func StartProcess(t T, root string, o ProcessOptions) *Client {
	t.Helper()
	bin, err := Binary(root)
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	args := []string{"-delay", o.Delay.String(), "-op-delay", o.OpDelay.String()}
	for k, v := range o.AWSCredentials {
		args = append(args, "-aws-credential", k+":"+v)
	}
	for _, tok := range o.GCPTokens {
		args = append(args, "-gcp-token", tok)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("emulator: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("emulator: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("emulator: reading its endpoints: %v", err)
	}
	var eps Endpoints
	if err := json.Unmarshal([]byte(strings.TrimSpace(line)), &eps); err != nil {
		t.Fatalf("emulator: endpoints line %q: %v", line, err)
	}
	t.Logf("emulator: aws %s, gcp %s, control %s", eps.AWS, eps.GCP, eps.Control)
	return NewClient(eps)
}
