package gcp

import (
	"context"
	"slices"
	"testing"

	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
)

// fakeIter pages through pages (by token) the way the Compute iterators do.
type fakeIter struct {
	items    []int
	pageInfo *iterator.PageInfo
	nextFunc func() error
}

type fakePage struct {
	items []int
	next  string
}

func newFakeIter(pages map[string]fakePage, fetches map[string]int, failOnce map[string]bool, start string) *fakeIter {
	it := &fakeIter{}
	fetch := func(_ int, tok string) (string, error) {
		fetches[tok]++
		if failOnce[tok] {
			failOnce[tok] = false
			return "", &googleapi.Error{Code: 503, Message: "backend error"}
		}
		p := pages[tok]
		it.items = append(it.items, p.items...)
		return p.next, nil
	}
	it.pageInfo, it.nextFunc = iterator.NewPageInfo(fetch, func() int { return len(it.items) }, func() any { b := it.items; it.items = nil; return b })
	it.pageInfo.Token = start
	return it
}

func (it *fakeIter) Next() (int, error) {
	if err := it.nextFunc(); err != nil {
		return 0, err
	}
	x := it.items[0]
	it.items = it.items[1:]
	return x, nil
}

func (it *fakeIter) PageInfo() *iterator.PageInfo { return it.pageInfo }

// TestListAllRetriesOnePage: a page that fails is fetched again from its
// own token; the pages before it are not read twice.
func TestListAllRetriesOnePage(t *testing.T) {
	fastRetries(t)
	pages := map[string]fakePage{"": {[]int{1, 2}, "t2"}, "t2": {nil, "t3"}, "t3": {[]int{3, 4, 5}, "t4"}, "t4": {[]int{6}, ""}}
	fetches := map[string]int{}
	failOnce := map[string]bool{"t3": true, "t4": true}
	got, err := listAll(context.Background(), func(tok string) pageIterator[int] { return newFakeIter(pages, fetches, failOnce, tok) })
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 2, 3, 4, 5, 6}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if fetches[""] != 1 || fetches["t3"] != 2 || fetches["t4"] != 2 {
		t.Fatalf("fetches %v: a failed page must be read again, and only it", fetches)
	}
}
