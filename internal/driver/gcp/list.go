package gcp

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/api/iterator"
)

// pageIterator is what the Compute list calls return.
type pageIterator[T any] interface {
	Next() (T, error)
	PageInfo() *iterator.PageInfo
}

// pageSize is the largest page the Compute API serves.
const pageSize = 500

// listAll reads every page of a list. A page that fails transiently is read
// again from its own token (open makes a fresh iterator starting there), so
// throttling late in a long list does not restart it.
func listAll[T any](ctx context.Context, open func(token string) pageIterator[T]) ([]T, error) {
	var all []T
	token := ""
	for {
		var page []T
		var next string
		err := retry(ctx, func() error {
			page, next = page[:0], ""
			it := open(token)
			first, err := it.Next()
			if errors.Is(err, iterator.Done) {
				return nil
			}
			if err != nil {
				return err
			}
			page = append(page, first)
			// The rest of this page is buffered; reading past it would
			// fetch the next page outside this retry.
			for n := it.PageInfo().Remaining(); n > 0; n-- {
				x, err := it.Next()
				if err != nil {
					return err
				}
				page = append(page, x)
			}
			next = it.PageInfo().Token
			return nil
		})
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if next == "" {
			return all, nil
		}
		if next == token {
			return nil, fmt.Errorf("the server returned page token %q twice", next)
		}
		token = next
	}
}
