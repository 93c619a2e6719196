package gce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// insertRouter serves routers.insert.
func (f *Frontend) insertRouter(w http.ResponseWriter, r *http.Request, c call) {
	var rt computepb.Router
	if _, err := readBody(r, &rt); err != nil {
		err.write(w)
		return
	}
	name := rt.GetName()
	if err := normRouter(c, &rt); err != nil {
		err.write(w)
		return
	}
	f.mutate(w, r, c, func() (store.Resource, error) {
		return f.create(c, typeByColl["routers"], name, nil, &rt)
	})
}

// changeRouter serves routers.patch (JSON merge patch: fields sent
// replace the stored ones, lists as a whole, nested objects merged) and
// routers.update (PUT: the body replaces the document). The router rule
// validates the result against the previous document.
func (f *Frontend) changeRouter(w http.ResponseWriter, r *http.Request, c call) {
	var body computepb.Router
	raw, aerr := readBody(r, &body)
	if aerr != nil {
		aerr.write(w)
		return
	}
	var sent map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sent); err != nil {
		errorf(http.StatusBadRequest, reasonInvalid, "Invalid JSON payload received: a router must be an object.").write(w)
		return
	}
	t := typeByColl["routers"]
	f.mutate(w, r, c, func() (store.Resource, error) {
		cur, err := f.st.Lookup(kindRouter, c.scope(), c.name)
		if err != nil {
			return store.Resource{}, err
		}
		next := &body
		if c.method == "patch" {
			next = &computepb.Router{}
			if err := fromDoc(cur.Attrs, next); err != nil {
				return store.Resource{}, err
			}
			mergePatch(next.ProtoReflect(), body.ProtoReflect(), sent)
		}
		if next.Name != nil && next.GetName() != c.name {
			return store.Resource{}, invalidField("resource.name", next.GetName(), "The name of a router cannot be changed.")
		}
		next.Name = &c.name
		if err := normRouter(c, next); err != nil {
			return store.Resource{}, err
		}
		doc, err := toDoc(next)
		if err != nil {
			return store.Resource{}, err
		}
		upd, err := f.st.Update(cur.ID, func(x *store.Resource) error { x.Attrs = doc; return nil })
		if err != nil {
			return store.Resource{}, err
		}
		return f.newOp(c, c.method, upd, t)
	})
}

// mergePatch applies the fields present in raw (the keys the client sent)
// from src to dst: a message field merges recursively, anything else
// (lists included) is replaced, an explicit null or empty list clears.
func mergePatch(dst, src protoreflect.Message, raw map[string]json.RawMessage) {
	fields := dst.Descriptor().Fields()
	for k, v := range raw {
		fd := fields.ByJSONName(k)
		if fd == nil {
			fd = fields.ByName(protoreflect.Name(k))
		}
		if fd == nil {
			continue // strict decoding already refused unknown fields
		}
		if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			dst.Clear(fd)
			continue
		}
		if fd.Kind() == protoreflect.MessageKind && !fd.IsList() && !fd.IsMap() && src.Has(fd) {
			var sub map[string]json.RawMessage
			if json.Unmarshal(v, &sub) == nil {
				mergePatch(dst.Mutable(fd).Message(), src.Get(fd).Message(), sub)
				continue
			}
		}
		if src.Has(fd) {
			dst.Set(fd, src.Get(fd))
		} else {
			dst.Clear(fd)
		}
	}
}

// normRouter checks the router's own fields and normalises references;
// a BGP peer without ipAddress gets its interface's address, as on GCE.
func normRouter(c call, rt *computepb.Router) *apiError {
	if err := checkName("resource.name", rt.GetName()); err != nil {
		return err
	}
	if rt.Network == nil {
		return invalidField("resource.network", "", "The network is required.")
	}
	nw, err := canonRef("resource.network", rt.GetNetwork(), c.project, "networks")
	if err != nil {
		return err
	}
	rt.Network = &nw
	addr := map[string]string{}
	for i, in := range rt.GetInterfaces() {
		if in.LinkedVpnTunnel != nil {
			l, err := canonRef(fmt.Sprintf("resource.interfaces[%d].linkedVpnTunnel", i), in.GetLinkedVpnTunnel(), c.project, "vpnTunnels")
			if err != nil {
				return err
			}
			in.LinkedVpnTunnel = &l
		}
		if p, err := netip.ParsePrefix(in.GetIpRange()); err == nil {
			addr[in.GetName()] = p.Addr().String()
		}
	}
	for _, p := range rt.GetBgpPeers() {
		if a, ok := addr[p.GetInterfaceName()]; ok && p.IpAddress == nil {
			p.IpAddress = proto.String(a)
		}
	}
	rt.Kind, rt.Id, rt.SelfLink, rt.CreationTimestamp, rt.Region, rt.Name = nil, nil, nil, nil, nil, nil
	return nil
}
