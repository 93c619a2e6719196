package crash

import (
	"os"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/lab"
)

func TestMain(m *testing.M) {
	code := m.Run()
	emulator.RemoveBinary()
	lab.RemoveBuild()
	os.Exit(code)
}
