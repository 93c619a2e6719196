package routing

import (
	"reflect"
	"strings"
	"testing"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/topology"
)

func TestParseElement(t *testing.T) {
	good := map[string]Element{
		"tunnel:a~b#0":     "tunnel:a~b#0",
		"interface:aws/1":  "interface:aws/1",
		"interface:a/b/0":  "interface:a/b/0", // the last slash splits
		"gateway:gcp-euw1": "gateway:gcp-euw1",
		"site:dc1":         "site:dc1",
	}
	for in, want := range good {
		got, err := ParseElement(in)
		if err != nil || got != want {
			t.Errorf("ParseElement(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "tunnel", "tunnel:", "link:a~b#0", "Tunnel:a~b#0", "site: dc1", "site:dc 1",
		"interface:aws", "interface:aws/", "interface:/1", "interface:aws/-1", "interface:aws/x",
		"interface:aws/01", "interface:aws/1.0", "gateway:",
	} {
		if got, err := ParseElement(in); err == nil {
			t.Errorf("ParseElement(%q) = %q, want an error", in, got)
		} else if !strings.Contains(err.Error(), "routing: element") {
			t.Errorf("ParseElement(%q): error %q does not say what it is", in, err)
		}
	}
}

func fourHosts() *topology.Mesh {
	return fullMesh(2, st("h1", topology.Host), st("h2", topology.Host), st("h3", topology.Host), st("h4", topology.Host))
}

func TestWhatIfSite(t *testing.T) {
	m := fourHosts()
	a := newAlloc(m)
	base, err := WhatIf(m, a, nil)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := Analyze(m, a)
	if !reflect.DeepEqual(base.Pairs, full.Pairs) || len(base.Disconnected) != 0 {
		t.Errorf("nothing removed: %+v", base)
	}
	// h1-h2's backup ran through h3; without h3 it runs through h4.
	r, err := WhatIf(m, a, []Element{"site:h3"})
	if err != nil {
		t.Fatal(err)
	}
	p := pair(&Result{Pairs: r.Pairs}, "h1", "h2")
	if !reflect.DeepEqual(p.Primary, path("h1 h2", "h1~h2#0")) || len(p.Backups) != 1 || !reflect.DeepEqual(p.Backups[0], path("h1 h4 h2", "h1~h4#0", "h2~h4#0")) {
		t.Errorf("h1-h2 without h3: %+v", p)
	}
	wantDis := [][2]string{{"h1", "h3"}, {"h2", "h3"}, {"h3", "h4"}}
	if !reflect.DeepEqual(r.Disconnected, wantDis) {
		t.Errorf("disconnected = %v, want %v", r.Disconnected, wantDis)
	}
	if len(r.Pairs) != 6 || r.Shortfall[[2]string{"h1", "h3"}] != 0 || len(r.Shortfall) != 3 {
		t.Errorf("pairs %d, shortfall %v", len(r.Pairs), r.Shortfall)
	}

	// Losing h1~h2 and h3 leaves h1-h2 a single path through h4.
	r, err = WhatIf(m, a, []Element{"tunnel:h1~h2#0", "gateway:h3"})
	if err != nil {
		t.Fatal(err)
	}
	p = pair(&Result{Pairs: r.Pairs}, "h1", "h2")
	if !reflect.DeepEqual(p.Primary, path("h1 h4 h2", "h1~h4#0", "h2~h4#0")) || len(p.Backups) != 0 {
		t.Errorf("h1-h2: %+v", p)
	}
	if r.Shortfall[[2]string{"h1", "h2"}] != 1 {
		t.Errorf("shortfall = %v", r.Shortfall)
	}

	// Two hosts: without their tunnel they are apart.
	m2 := fullMesh(1, st("x", topology.Host), st("y", topology.Host))
	r, err = WhatIf(m2, newAlloc(m2), []Element{"tunnel:x~y#0"})
	if err != nil || !reflect.DeepEqual(r.Disconnected, [][2]string{{"x", "y"}}) {
		t.Errorf("two hosts: %+v, %v", r, err)
	}
}

func TestWhatIfInterface(t *testing.T) {
	m := fullMesh(2, st("aws", topology.AWS), st("gcp", topology.GCP))
	a := newAlloc(m)
	r, err := WhatIf(m, a, []Element{"interface:gcp/0"})
	if err != nil {
		t.Fatal(err)
	}
	// Left: the two tunnels on GCP interface 1 (#2: AWS slot 0, #3: slot
	// 1), which share that interface: one path.
	p := r.Pairs[0]
	if !reflect.DeepEqual(p.Primary, path("aws gcp", "aws~gcp#2")) || len(p.Backups) != 0 || len(r.Disconnected) != 0 {
		t.Errorf("%+v", r)
	}
}

func TestWhatIfUnknown(t *testing.T) {
	m := fourHosts()
	a := newAlloc(m)
	_, err := WhatIf(m, a, []Element{"site:h9", "tunnel:h1~h2#0", "interface:h1/0", "tunnel:nope"})
	if err == nil {
		t.Fatal("unknown elements accepted")
	}
	for _, s := range []string{"site:h9", "interface:h1/0", "tunnel:nope"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %s", err, s)
		}
	}
	if strings.Contains(err.Error(), "h1~h2") {
		t.Errorf("error %q names a known element", err)
	}
	if _, err := WhatIf(m, a, []Element{"bogus"}); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("malformed element: %v", err)
	}
}
