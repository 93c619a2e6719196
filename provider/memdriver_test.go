package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/driver"
	"github.com/crosslink-net/terraform-provider-crosslink/internal/plan"
)

// memCloud is an in-memory stand-in for every cloud, for acceptance tests of
// the provider's lifecycle before real drivers exist. It fills the values a
// cloud would assign (ids, outside addresses, public keys) so references
// resolve, and counts calls so tests can check what apply did.
type memCloud struct {
	mu      sync.Mutex
	objs    map[string]plan.Object
	next    int
	creates int
	updates int
	deletes int
	psks    map[string]string // tunnel → last PSK seen, to check derivation
}

func newMemCloud() *memCloud {
	return &memCloud{objs: map[string]plan.Object{}, psks: map[string]string{}}
}

func (c *memCloud) drivers() map[string]driver.Driver {
	out := map[string]driver.Driver{}
	for _, cl := range []string{"aws", "gcp", "azure", "host"} {
		out[cl] = memDriver{c: c, cloud: cl}
	}
	return out
}

type memDriver struct {
	c     *memCloud
	cloud string
}

func (d memDriver) Observe(_ context.Context, s driver.Scope) ([]plan.Object, error) {
	d.c.mu.Lock()
	defer d.c.mu.Unlock()
	in := map[string]bool{}
	for _, s := range s.Sites {
		in[s] = true
	}
	var out []plan.Object
	for _, o := range d.c.objs {
		if o.Cloud == d.cloud && in[o.Site] {
			out = append(out, o)
		}
	}
	return out, nil
}

func (d memDriver) Create(_ context.Context, o plan.Object, s driver.Secrets) (plan.Object, error) {
	d.c.mu.Lock()
	defer d.c.mu.Unlock()
	if strings.Contains(fmt.Sprint(o.Attrs), "${") {
		return plan.Object{}, fmt.Errorf("unresolved reference in %s", o.Key)
	}
	if got, ok := d.c.objs[o.Key]; ok {
		return got, nil
	}
	if err := d.c.takePSKs(o, s); err != nil {
		return plan.Object{}, err
	}
	d.c.next++
	d.c.creates++
	o.ID = fmt.Sprintf("%s-%d", d.cloud, d.c.next)
	if spec, _ := plan.Spec(o.Kind); spec.StableID {
		o.ID = "stable:" + o.Key // as a driver that names objects by key
	}
	o.Attrs = withAssigned(o, d.c.next)
	d.c.objs[o.Key] = o
	return o, nil
}

func (d memDriver) Update(_ context.Context, desired, observed plan.Object, s driver.Secrets) (plan.Object, error) {
	d.c.mu.Lock()
	defer d.c.mu.Unlock()
	if err := d.c.takePSKs(desired, s); err != nil {
		return plan.Object{}, err
	}
	d.c.updates++
	desired.ID = observed.ID
	for k, v := range observed.Attrs {
		if _, ok := desired.Attrs[k]; !ok {
			desired.Attrs[k] = v
		}
	}
	d.c.objs[desired.Key] = desired
	return desired, nil
}

func (d memDriver) Delete(_ context.Context, o plan.Object) error {
	d.c.mu.Lock()
	defer d.c.mu.Unlock()
	d.c.deletes++
	delete(d.c.objs, o.Key)
	return nil
}

func (memDriver) Retryable(error) bool { return false }

// takePSKs asks for the PSK of every tunnel an object carries.
func (c *memCloud) takePSKs(o plan.Object, s driver.Secrets) error {
	if _, ok := o.Attrs["psk_epoch"]; !ok {
		return nil
	}
	tunnels := []string{o.Key[strings.LastIndexByte(o.Key, '/')+1:]}
	if o.Kind == "aws_vpn_connection" {
		tunnels = []string{o.Attrs["tunnel.0.key"], o.Attrs["tunnel.1.key"]}
	}
	for _, t := range tunnels {
		psk, err := s.PSK(t)
		if err != nil {
			return err
		}
		c.psks[t] = psk
	}
	return nil
}

// withAssigned adds what the cloud would assign on create.
func withAssigned(o plan.Object, n int) map[string]string {
	a := make(map[string]string, len(o.Attrs)+4)
	for k, v := range o.Attrs {
		a[k] = v
	}
	ip := func(i int) string { return fmt.Sprintf("203.0.%d.%d", n/250%256, n%250+i) }
	switch o.Kind {
	case "gcp_ha_vpn_gateway":
		a["interface.0.ip"], a["interface.1.ip"] = ip(0), ip(1)
	case "aws_vpn_connection":
		a["tunnel.0.outside_ip"], a["tunnel.1.outside_ip"] = ip(0), ip(1)
	case "azure_public_ip":
		a["ip"] = ip(0)
	case "host_wireguard_device":
		a["public_key"] = fmt.Sprintf("pub%d=", n)
	}
	return a
}
