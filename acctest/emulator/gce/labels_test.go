package gce

import (
	"maps"
	"testing"

	"cloud.google.com/go/compute/apiv1/computepb"
	"google.golang.org/protobuf/proto"
)

func TestSetLabels(t *testing.T) {
	e := newEnv(t, envOpt{})
	e.base()
	get := func() *computepb.VpnTunnel {
		v, err := e.tuns.Get(e.ctx, &computepb.GetVpnTunnelRequest{Project: proj, Region: r1, VpnTunnel: "tun"})
		must(t, err)
		return v
	}
	set := func(labels map[string]string, fp string) (*computepb.Operation, error) {
		op, err := e.tuns.SetLabels(e.ctx, &computepb.SetLabelsVpnTunnelRequest{Project: proj, Region: r1, Resource: "tun",
			RegionSetLabelsRequestResource: &computepb.RegionSetLabelsRequest{Labels: labels, LabelFingerprint: proto.String(fp)}})
		if err != nil {
			return nil, err
		}
		return op.Proto(), op.Wait(e.ctx)
	}
	v0 := get()
	if v0.GetLabelFingerprint() == "" || len(v0.GetLabels()) != 0 {
		t.Fatalf("new tunnel: labels %v fingerprint %q", v0.GetLabels(), v0.GetLabelFingerprint())
	}
	want := map[string]string{"crosslink-mesh": "m", "crosslink-psk-epoch": "2"}
	op, err := set(want, v0.GetLabelFingerprint())
	must(t, err)
	if op.GetOperationType() != "setLabels" {
		t.Fatalf("op type %s", op.GetOperationType())
	}
	v1 := get()
	if !maps.Equal(v1.GetLabels(), want) || v1.GetLabelFingerprint() == v0.GetLabelFingerprint() {
		t.Fatalf("after setLabels: %v %q", v1.GetLabels(), v1.GetLabelFingerprint())
	}
	// The old fingerprint is stale now, even to set the same labels again.
	_, err = set(map[string]string{}, v0.GetLabelFingerprint())
	contains(t, apiErr(t, err, 412, "conditionNotMet").Message, "fingerprint")
	_, err = set(want, "")
	apiErr(t, err, 412, "conditionNotMet")
	_, err = set(map[string]string{"Bad": "x"}, v1.GetLabelFingerprint())
	apiErr(t, err, 400, "invalid")
	// Clearing works and the label filter sees the change.
	_, err = set(nil, v1.GetLabelFingerprint())
	must(t, err)
	if v2 := get(); len(v2.GetLabels()) != 0 {
		t.Fatalf("labels not cleared: %v", v2.GetLabels())
	}

	// Global resources use the global request and a global operation.
	ext, err := e.exts.Get(e.ctx, &computepb.GetExternalVpnGatewayRequest{Project: proj, ExternalVpnGateway: "ext"})
	must(t, err)
	gop, err := e.exts.SetLabels(e.ctx, &computepb.SetLabelsExternalVpnGatewayRequest{Project: proj, Resource: "ext",
		GlobalSetLabelsRequestResource: &computepb.GlobalSetLabelsRequest{Labels: want, LabelFingerprint: ext.LabelFingerprint}})
	e.done(gop, err)
	ext, err = e.exts.Get(e.ctx, &computepb.GetExternalVpnGatewayRequest{Project: proj, ExternalVpnGateway: "ext"})
	must(t, err)
	if !maps.Equal(ext.GetLabels(), want) {
		t.Fatalf("external gateway labels %v", ext.GetLabels())
	}
	gw, err := e.gws.Get(e.ctx, &computepb.GetVpnGatewayRequest{Project: proj, Region: r1, VpnGateway: "gw"})
	must(t, err)
	e.done(e.gws.SetLabels(e.ctx, &computepb.SetLabelsVpnGatewayRequest{Project: proj, Region: r1, Resource: "gw",
		RegionSetLabelsRequestResource: &computepb.RegionSetLabelsRequest{Labels: want, LabelFingerprint: gw.LabelFingerprint}}))
}
