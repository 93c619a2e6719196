package cloudbench

import (
	"os"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/lab"
)

func TestMain(m *testing.M) {
	code := m.Run()
	lab.RemoveBuild() // the provider tfcli built for BenchmarkRefreshPlan
	os.Exit(code)
}
