package lab

// T is what the lab needs of its caller: a *testing.T or *testing.B, or a
// program (the demo) that runs a lab outside go test.
type T interface {
	Helper()
	Logf(format string, args ...any)
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Skip(args ...any)
	Cleanup(func())
	Failed() bool
}
