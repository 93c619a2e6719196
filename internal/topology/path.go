package topology

import (
	"fmt"
	"strings"
)

// Path is an attribute path in the configuration: a sequence of attribute
// names (string) and list indexes (int), e.g. {"site", 2, "cidrs", 0}.
type Path []any

// At returns a copy of p extended with steps.
func (p Path) At(steps ...any) Path {
	out := make(Path, 0, len(p)+len(steps))
	return append(append(out, p...), steps...)
}

func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		switch v := s.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", v)
		default:
			if i > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, v)
		}
	}
	return b.String()
}

// Problem is one thing wrong with a configuration.
type Problem struct {
	Path    Path
	Summary string
	Detail  string
}

func (p Problem) Error() string { return p.Path.String() + ": " + p.Summary + ": " + p.Detail }

// Problems collects problems in the order they were found.
type Problems []Problem

func (ps *Problems) Add(path Path, summary, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Summary: summary, Detail: fmt.Sprintf(format, args...)})
}
