package gce

import (
	"encoding/json"
	"testing"
)

func TestParseFilter(t *testing.T) {
	doc := map[string]any{
		"name":        "mesh-a-b-0",
		"description": `crosslink mesh=m key="x"`,
		"labels":      map[string]any{"crosslink-mesh": "m", "crosslink-psk-epoch": "3"},
		"ikeVersion":  json.Number("2"),
		"bgp":         map[string]any{"asn": json.Number("64512")},
	}
	for _, c := range []struct {
		expr string
		want bool
	}{
		{`name = "mesh-a-b-0"`, true},
		{`name = 'mesh-a-b-0'`, true},
		{`name = "mesh"`, false},
		{`name != "mesh"`, true},
		{`name = "mesh-*"`, true},
		{`name eq "mesh-.*"`, true},
		{`name eq "mesh"`, false},
		{`name ne "mesh-.*"`, false},
		{`description = "crosslink mesh=m key=\"x\""`, true},
		{`labels.crosslink-mesh = "m"`, true},
		{`labels.crosslink-mesh = "n"`, false},
		{`labels.other = "m"`, false},
		{`labels.other != "m"`, true},
		{`labels.crosslink-psk-epoch:*`, true},
		{`labels.other:*`, false},
		{`ikeVersion = 2`, true},
		{`bgp.asn = "64512"`, true},
		{`name = "x" OR labels.crosslink-mesh = "m"`, true},
		{`name = "x" OR labels.crosslink-mesh = "m" AND name = "y"`, false},
		{`(name = "x" OR labels.crosslink-mesh = "m") AND name eq "mesh.*"`, true},
		{`(labels.crosslink-mesh = "m") (name = "y")`, false},
		{`NOT name = "y"`, true},
		{`labels = "m"`, false}, // not a scalar
	} {
		f, err := parseFilter(c.expr)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if got := f(doc); got != c.want {
			t.Errorf("%s: %v, want %v", c.expr, got, c.want)
		}
	}
	for _, bad := range []string{`name`, `name =`, `= "x"`, `name ~ "x"`, `name eq "["`, `(name = "x"`, `name = "x")`,
		`name = "x" AND`, `name = "unterminated`, `name ! "x"`, `"name" = "x"`} {
		if _, err := parseFilter(bad); err == nil {
			t.Errorf("%s: parsed", bad)
		}
	}
	if f, err := parseFilter("  "); f != nil || err != nil {
		t.Error("an empty filter must match everything")
	}
}
