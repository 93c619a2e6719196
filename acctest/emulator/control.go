package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/ec2"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/gce"
	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// Endpoints is what the control API and the emulator command report.
type Endpoints struct {
	AWS     string `json:"aws"`
	GCP     string `json:"gcp"`
	Control string `json:"control"`
}

// Faults is store.Faults on the wire, with durations as Go duration text.
type Faults struct {
	Latency       string  `json:"latency,omitempty"`
	ThrottleRate  float64 `json:"throttle_rate,omitempty"`
	ThrottleBurst int     `json:"throttle_burst,omitempty"`
	// MutatingRate and MutatingBurst give mutating requests their own
	// bucket (store.Faults).
	MutatingRate  float64 `json:"mutating_rate,omitempty"`
	MutatingBurst int     `json:"mutating_burst,omitempty"`
	// ThrottleFraction throttles that share of requests at random.
	ThrottleFraction float64 `json:"throttle_fraction,omitempty"`
	ErrorRate5xx     float64 `json:"error_rate_5xx,omitempty"`
	DropReplyRate    float64 `json:"drop_reply_rate,omitempty"`
	Seed             uint64  `json:"seed,omitempty"`
}

func (f Faults) store() (store.Faults, error) {
	out := store.Faults{ThrottleRate: f.ThrottleRate, ThrottleBurst: f.ThrottleBurst,
		MutatingRate: f.MutatingRate, MutatingBurst: f.MutatingBurst,
		ThrottleFraction: f.ThrottleFraction,
		ErrorRate5xx:     f.ErrorRate5xx, DropReplyRate: f.DropReplyRate, Seed: f.Seed}
	if f.Latency != "" {
		d, err := time.ParseDuration(f.Latency)
		if err != nil {
			return out, fmt.Errorf("latency: %w", err)
		}
		out.Latency = d
	}
	return out, nil
}

// Counts are one cloud's call counters: totals and per operation (the
// EC2 Action, or the Compute method such as "vpnTunnels.insert").
type Counts struct {
	Total store.Counters            `json:"total"`
	Ops   map[string]store.Counters `json:"ops"`
}

// SeedVPC and SeedNetwork are the seeding requests.
type SeedVPC struct {
	Region string  `json:"region"`
	VPC    ec2.VPC `json:"vpc"`
}

type SeedNetwork struct {
	Project string      `json:"project"`
	Network gce.Network `json:"network"`
}

// control serves the JSON control API.
func (s *Server) control() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/endpoints", func(w http.ResponseWriter, r *http.Request) {
		reply(w, Endpoints{AWS: s.AWSURL, GCP: s.GCPURL, Control: s.ControlURL}, nil)
	})
	mux.HandleFunc("PUT /v1/faults/{cloud}", func(w http.ResponseWriter, r *http.Request) {
		in := s.Faults(r.PathValue("cloud"))
		var f Faults
		if in == nil {
			reply(w, nil, fmt.Errorf("unknown cloud %q", r.PathValue("cloud")))
			return
		}
		// A closure: a method value would bind f before it is decoded.
		sf, err := decode(r, &f, func() (store.Faults, error) { return f.store() })
		if err == nil {
			in.Set(sf)
		}
		reply(w, f, err)
	})
	mux.HandleFunc("GET /v1/counters/{cloud}", func(w http.ResponseWriter, r *http.Request) {
		in := s.Faults(r.PathValue("cloud"))
		if in == nil {
			reply(w, nil, fmt.Errorf("unknown cloud %q", r.PathValue("cloud")))
			return
		}
		reply(w, Counts{Total: in.Counters(), Ops: in.Ops()}, nil)
	})
	mux.HandleFunc("DELETE /v1/counters/{cloud}", func(w http.ResponseWriter, r *http.Request) {
		in := s.Faults(r.PathValue("cloud"))
		if in == nil {
			reply(w, nil, fmt.Errorf("unknown cloud %q", r.PathValue("cloud")))
			return
		}
		in.ResetCounters()
		reply(w, struct{}{}, nil)
	})
	mux.HandleFunc("POST /v1/seed/aws/vpc", func(w http.ResponseWriter, r *http.Request) {
		var in SeedVPC
		_, err := decode(r, &in, func() (struct{}, error) { return struct{}{}, s.EC2.SeedVPC(in.Region, in.VPC) })
		reply(w, in, err)
	})
	mux.HandleFunc("POST /v1/seed/gcp/network", func(w http.ResponseWriter, r *http.Request) {
		var in SeedNetwork
		_, err := decode(r, &in, func() (struct{}, error) { return struct{}{}, s.GCE.SeedNetwork(in.Project, in.Network) })
		reply(w, in, err)
	})
	return mux
}

// decode reads the JSON body into v, then runs then.
func decode[T any](r *http.Request, v any, then func() (T, error)) (T, error) {
	var zero T
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return zero, fmt.Errorf("bad request body: %w", err)
	}
	return then()
}

func reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}
