package routing

// label is a search distance: reduced cost first, then the number of
// cancelled (reversed) arcs, so that between equally cheap augmenting paths
// the search keeps the paths it already has rather than re-cutting them.
type label struct {
	cost int64
	rev  int32
}

func (a label) less(b label) bool {
	return a.cost < b.cost || (a.cost == b.cost && a.rev < b.rev)
}

type heapItem struct {
	l    label
	node int32
}

// minHeap is a plain binary heap with lazy deletion: stale items are skipped
// when popped. It keeps its backing array between searches.
type minHeap struct{ a []heapItem }

func (h *minHeap) reset() { h.a = h.a[:0] }

func (h *minHeap) push(it heapItem) {
	h.a = append(h.a, it)
	i := len(h.a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !itemLess(it, h.a[p]) {
			break
		}
		h.a[i] = h.a[p]
		i = p
	}
	h.a[i] = it
}

func (h *minHeap) pop() heapItem {
	top := h.a[0]
	last := h.a[len(h.a)-1]
	h.a = h.a[:len(h.a)-1]
	n := len(h.a)
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h.lessAt(c+1, c) {
			c++
		}
		if !itemLess(h.a[c], last) {
			break
		}
		h.a[i] = h.a[c]
		i = c
	}
	h.a[i] = last
	return top
}

func (h *minHeap) lessAt(i, j int) bool { return itemLess(h.a[i], h.a[j]) }

// itemLess orders by label, then node id, so pops are deterministic.
func itemLess(x, y heapItem) bool {
	if x.l != y.l {
		return x.l.less(y.l)
	}
	return x.node < y.node
}
