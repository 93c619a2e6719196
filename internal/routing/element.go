package routing

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

type elemKind int

const (
	elTunnel elemKind = iota
	elInterface
	elGateway
	elSite
)

// element is a parsed Element.
type element struct {
	kind  elemKind
	name  string // tunnel key or site name
	iface int
}

func (e element) String() string {
	switch e.kind {
	case elTunnel:
		return "tunnel:" + e.name
	case elInterface:
		return "interface:" + e.name + "/" + strconv.Itoa(e.iface)
	case elGateway:
		return "gateway:" + e.name
	default:
		return "site:" + e.name
	}
}

// ParseElement checks that s names a failure element in one of the forms
// "tunnel:<key>", "interface:<site>/<n>", "gateway:<site>", "site:<site>"
// and returns it in canonical form. It does not check that the element
// exists: WhatIf does, against a mesh.
func ParseElement(s string) (Element, error) {
	e, err := parseElement(s)
	if err != nil {
		return "", err
	}
	return Element(e.String()), nil
}

func parseElement(s string) (element, error) {
	kind, rest, ok := strings.Cut(s, ":")
	bad := func(why string) (element, error) {
		return element{}, fmt.Errorf("routing: element %q: %s (want tunnel:<key>, interface:<site>/<n>, gateway:<site> or site:<site>)", s, why)
	}
	if !ok {
		return bad("no kind")
	}
	if rest == "" || strings.TrimSpace(rest) != rest || strings.ContainsAny(rest, " \t\n") {
		return bad("empty name or whitespace")
	}
	switch kind {
	case "tunnel":
		return element{kind: elTunnel, name: rest}, nil
	case "interface":
		i := strings.LastIndexByte(rest, '/')
		if i <= 0 || i == len(rest)-1 {
			return bad("interface needs <site>/<n>")
		}
		digits := rest[i+1:]
		n, err := strconv.Atoi(digits)
		if err != nil || n < 0 || strings.TrimLeft(digits, "0123456789") != "" || (len(digits) > 1 && digits[0] == '0') {
			return bad("interface number must be a non-negative integer")
		}
		return element{kind: elInterface, name: rest[:i], iface: n}, nil
	case "gateway":
		return element{kind: elGateway, name: rest}, nil
	case "site":
		return element{kind: elSite, name: rest}, nil
	}
	return bad("unknown kind " + strconv.Quote(kind))
}

// removal is a set of elements taken out of the graph (WhatIf).
type removal struct{ elems []element }

func newRemoval(list []Element) (*removal, error) {
	r := &removal{}
	var errs []string
	for _, s := range list {
		e, err := parseElement(string(s))
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		r.elems = append(r.elems, e)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return r, nil
}

// apply marks the removed elements dead, or names every one that the mesh
// does not have.
func (r *removal) apply(g *graph) error {
	var unknown []string
	for _, e := range r.elems {
		switch e.kind {
		case elTunnel:
			id, ok := g.byKey[e.name]
			if !ok {
				unknown = append(unknown, e.String())
				continue
			}
			g.tunnels[id].dead = true
		case elInterface:
			si, ok := g.byName[e.name]
			if !ok || e.iface >= g.sites[si].nIface {
				unknown = append(unknown, e.String())
				continue
			}
			g.sites[si].ifDead[e.iface] = true
		case elGateway, elSite:
			// Without its gateway a site can neither reach nor relay
			// anything: for routing the two are the same loss.
			si, ok := g.byName[e.name]
			if !ok {
				unknown = append(unknown, e.String())
				continue
			}
			g.sites[si].dead = true
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("routing: unknown elements: %s", strings.Join(unknown, ", "))
	}
	return nil
}
