package ec2

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
)

// node is one element of a reply: text, or children. Every reply is built
// as such a tree by the kinds' render functions and written by one
// encoder, so element order and escaping are decided in one place.
type node struct {
	name string
	text string
	kids []node
	// list marks a wrapper (fooSet, attachments …) written even when empty,
	// since an empty list and an absent one mean the same to the SDK but
	// EC2 always sends the wrapper.
	list bool
}

// el is an element with children; empty text children are dropped when
// written, so optional fields can be passed unconditionally.
func el(name string, kids ...node) node { return node{name: name, kids: kids} }

// tx is a text element; it is omitted when text is empty (the SDK would
// fail to parse an empty number).
func tx(name, text string) node { return node{name: name, text: text} }

// num is a decimal text element.
func num[T ~int | ~int64 | ~uint32 | ~uint64](name string, v T) node {
	return tx(name, strconv.FormatInt(int64(v), 10))
}

// as renames a rendered element: one render serves as a list <item> and
// as the single object of a create reply.
func as(name string, n node) node { n.name = name; return n }

// flag is a boolean text element.
func flag(name string, v bool) node { return tx(name, strconv.FormatBool(v)) }

// set is a list wrapper: each item becomes <item>.
func set(name string, items ...node) node {
	for i := range items {
		items[i].name = "item"
	}
	return node{name: name, kids: items, list: true}
}

// textSet is a list of plain strings (<subnetIds><item>subnet-…</item>…).
func textSet(name string, vals []string) node {
	items := make([]node, len(vals))
	for i, v := range vals {
		items[i] = tx("item", v)
	}
	return node{name: name, kids: items, list: true}
}

// tagSet renders tags sorted by key, so replies are stable.
func tagSet(tags map[string]string) node {
	var items []node
	for _, k := range sortedKeys(tags) {
		items = append(items, el("item", tx("key", k), tx("value", tags[k])))
	}
	return set("tagSet", items...)
}

func (n node) empty() bool { return !n.list && n.text == "" && len(n.kids) == 0 }

func (n node) write(b *bytes.Buffer) {
	if n.empty() {
		return
	}
	b.WriteString("<" + n.name + ">")
	if n.text != "" {
		_ = xml.EscapeText(b, []byte(n.text))
	}
	for _, k := range n.kids {
		k.write(b)
	}
	b.WriteString("</" + n.name + ">")
}

// render returns the node as an XML string (for customerGatewayConfiguration,
// which EC2 sends as escaped XML inside an element).
func (n node) render() string {
	var b bytes.Buffer
	n.write(&b)
	return b.String()
}

const xmlns = "http://ec2.amazonaws.com/doc/2016-11-15/"

// writeReply writes the <ActionResponse> envelope around body.
func writeReply(w http.ResponseWriter, action, requestID string, body []node) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString("<" + action + `Response xmlns="` + xmlns + `">`)
	tx("requestId", requestID).write(&b)
	for _, n := range body {
		n.write(&b)
	}
	b.WriteString("</" + action + "Response>")
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// writeError writes EC2's error document.
func writeError(w http.ResponseWriter, status int, code, message, requestID string) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	el("Response",
		el("Errors", el("Error", tx("Code", code), tx("Message", message))),
		tx("RequestID", requestID),
	).write(&b)
	w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}
