package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Client talks to a running emulator's control API.
type Client struct {
	Endpoints
	http *http.Client
}

// NewClient returns a client for the control API at url.
func NewClient(eps Endpoints) *Client {
	return &Client{Endpoints: eps, http: &http.Client{Timeout: 30 * time.Second}}
}

// SetFaults replaces a cloud's fault configuration ("aws" or "gcp").
func (c *Client) SetFaults(cloud string, f Faults) error {
	return c.call(http.MethodPut, "/v1/faults/"+cloud, f, nil)
}

// Counters reads a cloud's call counters.
func (c *Client) Counters(cloud string) (Counts, error) {
	var out Counts
	err := c.call(http.MethodGet, "/v1/counters/"+cloud, nil, &out)
	return out, err
}

// ResetCounters zeroes a cloud's call counters.
func (c *Client) ResetCounters(cloud string) error {
	return c.call(http.MethodDelete, "/v1/counters/"+cloud, nil, nil)
}

// SeedVPC creates an AWS VPC (with subnets and main route table).
func (c *Client) SeedVPC(s SeedVPC) error { return c.call(http.MethodPost, "/v1/seed/aws/vpc", s, nil) }

// SeedNetwork creates a GCP network (with subnetworks).
func (c *Client) SeedNetwork(s SeedNetwork) error {
	return c.call(http.MethodPost, "/v1/seed/gcp/network", s, nil)
}

func (c *Client) call(method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, c.Control+path, &body)
	if err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("emulator control %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("emulator control %s %s: %s: %s", method, path, resp.Status, e.Error)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}
