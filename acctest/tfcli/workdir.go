package tfcli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/lab"
)

// Source is the provider source configurations use in required_providers.
const Source = "crosslink/crosslink"

// T is what a Workdir needs of its caller (*testing.T or *testing.B).
type T interface {
	lab.T
	TempDir() string
}

// Workdir is a configuration directory with its own CLI configuration that
// serves the provider from a local build.
type Workdir struct {
	t        T
	CLI      string // the tofu or terraform binary
	Provider string // the provider binary the CLI runs
	Dir      string
	env      []string
}

// New builds the provider (once per process), writes a CLI configuration
// with dev_overrides for it, and returns an empty working directory. env is
// added to every command's environment (credentials, TF_VAR_…).
func New(t T, env ...string) *Workdir {
	t.Helper()
	cli, err := CLIPath()
	if err != nil {
		t.Fatalf("tfcli: %v", err)
	}
	provider := lab.BuildAgent(t)
	base := t.TempDir()
	rc := filepath.Join(base, "cli.tfrc")
	conf := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n", Source, filepath.Dir(provider))
	if err := os.WriteFile(rc, []byte(conf), 0o644); err != nil {
		t.Fatalf("tfcli: %v", err)
	}
	dir := filepath.Join(base, "work")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatalf("tfcli: %v", err)
	}
	w := &Workdir{t: t, CLI: cli, Provider: provider, Dir: dir}
	w.env = append(cleanEnv(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	w.env = append(w.env, env...)
	return w
}

// CLIPath is TF_ACC_TERRAFORM_PATH, else the CLI `make tofu` recorded in
// bin/.tf-path.
func CLIPath() (string, error) {
	if p, err := acctest.TerraformPath(); err == nil {
		return p, nil
	}
	root, err := lab.ModuleRoot()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(filepath.Join(root, "bin", ".tf-path"))
	if err != nil {
		return "", fmt.Errorf("no CLI: set %s or run `make tofu` (%v)", acctest.EnvTerraformPath, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// cleanEnv drops what would point the CLI elsewhere or make it log.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "TF_CLI_CONFIG_FILE", name == "TF_DATA_DIR", name == "TF_WORKSPACE",
			strings.HasPrefix(name, "TF_LOG"), strings.HasPrefix(name, "TF_CLI_ARGS"):
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Write replaces main.tf with hcl after a terraform block requiring the
// provider from Source.
func (w *Workdir) Write(hcl string) {
	w.t.Helper()
	req := fmt.Sprintf("terraform {\n  required_providers {\n    crosslink = { source = %q }\n  }\n}\n\n", Source)
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(req+hcl), 0o644); err != nil {
		w.t.Fatalf("tfcli: %v", err)
	}
}

// Command returns the CLI command for args, not started, with its output
// collected in out.
func (w *Workdir) Command(out *bytes.Buffer, args ...string) *exec.Cmd {
	cmd := exec.Command(w.CLI, append([]string{"-chdir=" + w.Dir}, args...)...)
	cmd.Env = w.env
	cmd.Stdout, cmd.Stderr = out, out
	return cmd
}

// Run runs the CLI and returns its combined output; the error carries it.
func (w *Workdir) Run(args ...string) (string, error) {
	var out bytes.Buffer
	if err := w.Command(&out, args...).Run(); err != nil {
		return out.String(), fmt.Errorf("%s %s: %w\n%s", filepath.Base(w.CLI), strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

// Apply runs apply -auto-approve.
func (w *Workdir) Apply() (string, error) {
	return w.Run("apply", "-auto-approve", "-input=false", "-no-color")
}

// Destroy runs destroy -auto-approve.
func (w *Workdir) Destroy() (string, error) {
	return w.Run("destroy", "-auto-approve", "-input=false", "-no-color")
}

// PlanEmpty runs plan -detailed-exitcode and reports whether it planned no
// change; an error is a failed plan.
func (w *Workdir) PlanEmpty() (bool, string, error) {
	var out bytes.Buffer
	err := w.Command(&out, "plan", "-detailed-exitcode", "-input=false", "-no-color").Run()
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 2 {
		return false, out.String(), nil
	}
	if err != nil {
		return false, out.String(), fmt.Errorf("plan: %w\n%s", err, out.String())
	}
	return true, out.String(), nil
}
