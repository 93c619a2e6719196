package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// Environment variables read by terraform-plugin-testing.
const (
	// EnvAcc enables acceptance tests.
	EnvAcc = "TF_ACC"
	// EnvTerraformPath is the CLI binary (tofu or terraform) the tests run.
	EnvTerraformPath = "TF_ACC_TERRAFORM_PATH"
	// EnvProviderNamespace is the namespace of the provider address the
	// framework registers (default: both "-" and "hashicorp").
	EnvProviderNamespace = "TF_ACC_PROVIDER_NAMESPACE"
	// EnvProviderHost is the host of that address (default: the one HashiCorp
	// Terraform assumes). OpenTofu resolves a short source such as
	// "hashicorp/crosslink" to its own host, so it needs OpenTofuProviderHost.
	EnvProviderHost = "TF_ACC_PROVIDER_HOST"
)

const (
	// ProviderNamespace is the namespace the tests register the provider
	// under: OpenTofu rejects the legacy "-" namespace.
	ProviderNamespace = "hashicorp"
	// OpenTofuProviderHost is the provider host to use with OpenTofu.
	OpenTofuProviderHost = "registry.opentofu.org"
)

// TestMeshSecret is the mesh secret the acceptance tests configure.
const TestMeshSecret = "acctest-mesh-secret-0123456789"

// ProviderConfig is a provider block for the tests' configurations. It needs
// no terraform block: terraform-plugin-testing adds required_providers.
const ProviderConfig = `provider "crosslink" {
  mesh_secret = "` + TestMeshSecret + `"
}
`

// PreCheck is the PreCheck of every acceptance TestCase
// (PreCheck: func() { acctest.PreCheck(t) }). When TF_ACC is set it fails the
// test, never skips it, if TF_ACC_TERRAFORM_PATH is unset or does not name an
// executable file. It sets TF_ACC_PROVIDER_NAMESPACE to "hashicorp" when unset
// and, when the CLI is OpenTofu, TF_ACC_PROVIDER_HOST when unset.
// It uses os.Setenv, not t.Setenv, so that it also works in parallel tests.
func PreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv(EnvAcc) != "" {
		path, err := TerraformPath()
		if err != nil {
			t.Fatalf("acceptance tests need a CLI: %v (run them with `make testacc`, which finds or builds one)", err)
		}
		if IsOpenTofu(path) {
			setDefault(t, EnvProviderHost, OpenTofuProviderHost)
		}
	}
	setDefault(t, EnvProviderNamespace, ProviderNamespace)
}

// TerraformPath returns the CLI named by TF_ACC_TERRAFORM_PATH, or an error
// saying why it cannot be used.
func TerraformPath() (string, error) {
	p := os.Getenv(EnvTerraformPath)
	if p == "" {
		return "", fmt.Errorf("%s is not set", EnvTerraformPath)
	}
	fi, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("%s=%s: %w", EnvTerraformPath, p, err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("%s=%s is not an executable file", EnvTerraformPath, p)
	}
	return p, nil
}

var (
	tofuMu    sync.Mutex
	tofuCache = map[string]bool{}
)

// IsOpenTofu reports whether the CLI at path is OpenTofu rather than HashiCorp
// Terraform, from the output of `<path> version` (run once per path).
func IsOpenTofu(path string) bool {
	tofuMu.Lock()
	defer tofuMu.Unlock()
	if v, ok := tofuCache[path]; ok {
		return v
	}
	cmd := exec.Command(path, "version")
	// A missing CLI config file makes tofu print a warning: drop the variable.
	cmd.Env = append(withoutEnv(os.Environ(), "TF_CLI_CONFIG_FILE"), "CHECKPOINT_DISABLE=1")
	out, _ := cmd.Output()
	v := false
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "OpenTofu v") {
			v = true
			break
		}
	}
	tofuCache[path] = v
	return v
}

// IsOpenTofuRun reports whether this acceptance run uses OpenTofu: some plan
// details differ (it lists ephemeral resources with an "open" action).
func IsOpenTofuRun() bool {
	p, err := TerraformPath()
	return err == nil && IsOpenTofu(p)
}

func withoutEnv(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

func setDefault(t *testing.T, name, value string) {
	t.Helper()
	if os.Getenv(name) != "" {
		return
	}
	if err := os.Setenv(name, value); err != nil {
		t.Fatalf("setting %s: %v", name, err)
	}
}
