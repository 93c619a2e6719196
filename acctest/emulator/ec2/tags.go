package ec2

import (
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// tagTargets resolves ResourceId.N to kinds, all before any change, so a
// bad ID leaves every resource untouched as on EC2.
func (c *call) tagTargets() (map[string]*kindInfo, error) {
	ids := c.list("ResourceId")
	if len(ids) == 0 {
		return nil, errMissing("ResourceId")
	}
	out := map[string]*kindInfo{}
	for _, id := range ids {
		k := kindOf(id)
		if k == nil || k.tagType == "" {
			return nil, apiErr("InvalidID", "The ID '%s' is not valid", id)
		}
		if _, err := c.find(k, id); err != nil {
			return nil, err
		}
		out[id] = k
	}
	return out, nil
}

func (c *call) createTags() ([]node, error) {
	targets, err := c.tagTargets()
	if err != nil {
		return nil, err
	}
	tags, err := c.tagList("Tag")
	if err != nil {
		return nil, err
	}
	for _, id := range sortedKeys(targets) {
		if _, err := c.update(targets[id], id, func(r *store.Resource) error {
			for _, t := range tags {
				r.Tags[t.key] = t.value
			}
			if len(r.Tags) > 50 {
				return apiErr("TagLimitExceeded", "The maximum number of tags per resource is 50")
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return []node{flag("return", true)}, nil
}

// deleteTags removes the given keys (only where the value matches, when
// one is given), or every tag when no Tag.N is given.
func (c *call) deleteTags() ([]node, error) {
	targets, err := c.tagTargets()
	if err != nil {
		return nil, err
	}
	tags, err := c.tagList("Tag")
	if err != nil {
		return nil, err
	}
	for _, id := range sortedKeys(targets) {
		if _, err := c.update(targets[id], id, func(r *store.Resource) error {
			if len(tags) == 0 {
				clear(r.Tags)
			}
			for _, t := range tags {
				if v, ok := r.Tags[t.key]; ok && (!t.hasValue || v == t.value) {
					delete(r.Tags, t.key)
				}
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return []node{flag("return", true)}, nil
}
