package gce

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strings"
)

// docFilter is a compiled list filter over a rendered document.
type docFilter func(doc map[string]any) bool

// parseFilter compiles the subset of GCE's list filter language drivers
// use: comparisons `field = "v"`, `!=`, `:` (`labels.k:*` tests presence),
// the regex forms `field eq "re"` / `ne` (RE2, whole value), joined by
// AND, OR, NOT, juxtaposition (AND) and parentheses. Fields are dotted
// paths into the document (name, description, labels.k, network …).
// Anything else is an error, which the caller answers with 400.
func parseFilter(s string) (docFilter, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.i].text)
	}
	return f, nil
}

type token struct {
	text   string
	quoted bool
}

func lex(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n':
			i++
		case ch == '(' || ch == ')' || ch == '=' || ch == ':':
			out = append(out, token{text: string(ch)})
			i++
		case ch == '!' && i+1 < len(s) && s[i+1] == '=':
			out = append(out, token{text: "!="})
			i += 2
		case ch == '"' || ch == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != ch; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated string")
			}
			out = append(out, token{text: b.String(), quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n()=:!\"'", rune(s[j])) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected %q", s[i])
			}
			out = append(out, token{text: s[i:j]})
			i = j
		}
	}
	return out, nil
}

type filterParser struct {
	toks []token
	i    int
}

func (p *filterParser) peek() (token, bool) {
	if p.i < len(p.toks) {
		return p.toks[p.i], true
	}
	return token{}, false
}

func (p *filterParser) keyword(w string) bool {
	if t, ok := p.peek(); ok && !t.quoted && t.text == w {
		p.i++
		return true
	}
	return false
}

func (p *filterParser) or() (docFilter, error) {
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.keyword("OR") {
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(d map[string]any) bool { return a(d) || b(d) }
	}
	return l, nil
}

func (p *filterParser) and() (docFilter, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		if !p.keyword("AND") {
			// Juxtaposed terms are ANDed: `(a = "x") (b = "y")`.
			t, ok := p.peek()
			if !ok || (!t.quoted && (t.text == ")" || t.text == "OR")) {
				return l, nil
			}
		}
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		a, b := l, r
		l = func(d map[string]any) bool { return a(d) && b(d) }
	}
}

func (p *filterParser) unary() (docFilter, error) {
	if p.keyword("NOT") || p.keyword("-") {
		f, err := p.unary()
		if err != nil {
			return nil, err
		}
		return func(d map[string]any) bool { return !f(d) }, nil
	}
	if p.keyword("(") {
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.keyword(")") {
			return nil, fmt.Errorf("missing )")
		}
		return f, nil
	}
	return p.comparison()
}

var fieldRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_][-A-Za-z0-9_]*)*$`)

func (p *filterParser) comparison() (docFilter, error) {
	ft, ok := p.peek()
	if !ok || ft.quoted || !fieldRE.MatchString(ft.text) {
		return nil, fmt.Errorf("expected a field name")
	}
	p.i++
	ot, ok := p.peek()
	if !ok || ot.quoted {
		return nil, fmt.Errorf("expected an operator after %s", ft.text)
	}
	p.i++
	vt, ok := p.peek()
	if !ok || (!vt.quoted && (vt.text == "(" || vt.text == ")")) {
		return nil, fmt.Errorf("expected a value after %s %s", ft.text, ot.text)
	}
	p.i++
	field, val := strings.Split(ft.text, "."), vt.text
	switch ot.text {
	case "=", "!=":
		match := func(s string) bool { return s == val }
		if strings.Contains(val, "*") {
			match = func(s string) bool { ok, _ := path.Match(val, s); return ok }
		}
		neg := ot.text == "!="
		return func(d map[string]any) bool {
			s, ok := lookupField(d, field)
			return (ok && match(s)) != neg
		}, nil
	case ":":
		return func(d map[string]any) bool {
			s, ok := lookupField(d, field)
			return ok && (val == "*" || s == val)
		}, nil
	case "eq", "ne":
		re, err := regexp.Compile("^(?:" + val + ")$")
		if err != nil {
			return nil, fmt.Errorf("bad regular expression %q", val)
		}
		neg := ot.text == "ne"
		return func(d map[string]any) bool {
			s, ok := lookupField(d, field)
			return (ok && re.MatchString(s)) != neg
		}, nil
	}
	return nil, fmt.Errorf("unsupported operator %q", ot.text)
}

// lookupField reads a dotted path as a string; absent or non-scalar
// values do not match.
func lookupField(d map[string]any, field []string) (string, bool) {
	var cur any = d
	for _, k := range field {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = m[k]; !ok {
			return "", false
		}
	}
	switch v := cur.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return fmt.Sprint(v), true
	case int, int64, uint64, float64:
		return fmt.Sprint(v), true
	}
	return "", false
}
