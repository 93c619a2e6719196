package store

import (
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"net/http"
	"sort"
)

// ListOptions selects and pages a listing.
type ListOptions struct {
	Filter   Filter // nil: everything
	PageSize int    // <= 0: everything in one page
	// PageToken is a NextToken from an earlier page of the same query.
	PageToken string
	// Query identifies the filter for token binding (e.g. the raw filter
	// expression or request parameters): a token minted for one Query is
	// rejected for another, as the clouds do.
	Query string
}

// Page is one page of a listing. NextToken is empty on the last page.
type Page struct {
	Items     []Resource
	NextToken string
}

// List returns matching resources in insertion order. The token is a
// cursor on the insertion sequence, so resources created while a client
// pages appear only after the cursor and never repeat earlier items;
// resources deleted meanwhile are simply skipped.
func (s *Store) List(o ListOptions) (Page, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var after uint64
	if o.PageToken != "" {
		var err error
		if after, err = s.parseToken(o.PageToken, o.Query); err != nil {
			return Page{}, err
		}
	}
	now := s.clock.Now()
	order := s.snapshot()
	i := sort.Search(len(order), func(i int) bool { return order[i].seq > after })
	var p Page
	for ; i < len(order); i++ {
		r := order[i]
		if !s.advance(r, now) || (o.Filter != nil && !o.Filter(r)) {
			continue
		}
		if o.PageSize > 0 && len(p.Items) == o.PageSize {
			// Another match exists: only now is a next page promised,
			// so the last page never carries a token to an empty page.
			p.NextToken = s.makeToken(p.Items[len(p.Items)-1].seq, o.Query)
			break
		}
		p.Items = append(p.Items, r.clone())
	}
	return p, nil
}

func (s *Store) mac(seq uint64, query string) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%d|%s", s.secret, seq, query)
	return h.Sum64()
}

func (s *Store) makeToken(seq uint64, query string) string {
	raw := fmt.Sprintf("%d.%x", seq, s.mac(seq, query))
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func (s *Store) parseToken(tok, query string) (uint64, error) {
	bad := Errorf(CodeInvalidPageToken, http.StatusBadRequest, "invalid page token %q", tok)
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, bad
	}
	var seq, mac uint64
	if n, err := fmt.Sscanf(string(raw), "%d.%x", &seq, &mac); err != nil || n != 2 || mac != s.mac(seq, query) ||
		fmt.Sprintf("%d.%x", seq, mac) != string(raw) {
		return 0, bad
	}
	return seq, nil
}
