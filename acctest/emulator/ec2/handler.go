package ec2

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// maxBody bounds a request body; EC2 requests are small forms.
const maxBody = 1 << 20

// actions maps each Action to its handler.
var actions = map[string]func(c *call) ([]node, error){
	"CreateCustomerGateway":                (*call).createCustomerGateway,
	"DescribeCustomerGateways":             func(c *call) ([]node, error) { return c.describe(describeCGWs) },
	"DeleteCustomerGateway":                (*call).deleteCustomerGateway,
	"CreateVpnGateway":                     (*call).createVpnGateway,
	"DescribeVpnGateways":                  func(c *call) ([]node, error) { return c.describe(describeVGWs) },
	"AttachVpnGateway":                     (*call).attachVpnGateway,
	"DetachVpnGateway":                     (*call).detachVpnGateway,
	"DeleteVpnGateway":                     (*call).deleteVpnGateway,
	"CreateVpnConnection":                  (*call).createVpnConnection,
	"DescribeVpnConnections":               (*call).describeVpnConnections,
	"DeleteVpnConnection":                  (*call).deleteVpnConnection,
	"ModifyVpnConnection":                  (*call).modifyVpnConnection,
	"ModifyVpnTunnelOptions":               (*call).modifyVpnTunnelOptions,
	"CreateTransitGateway":                 (*call).createTransitGateway,
	"DescribeTransitGateways":              func(c *call) ([]node, error) { return c.describe(describeTGWs) },
	"DeleteTransitGateway":                 (*call).deleteTransitGateway,
	"CreateTransitGatewayVpcAttachment":    (*call).createTransitGatewayVpcAttachment,
	"DescribeTransitGatewayVpcAttachments": func(c *call) ([]node, error) { return c.describe(describeTGWVpcAtts) },
	"DescribeTransitGatewayAttachments":    func(c *call) ([]node, error) { return c.describe(describeTGWAtts) },
	"DeleteTransitGatewayVpcAttachment":    (*call).deleteTransitGatewayVpcAttachment,
	"DescribeVpcs":                         func(c *call) ([]node, error) { return c.describe(describeVPCs) },
	"DescribeSubnets":                      func(c *call) ([]node, error) { return c.describe(describeSubnets) },
	"DescribeRouteTables":                  func(c *call) ([]node, error) { return c.describe(describeRouteTables) },
	"CreateRoute":                          (*call).createRoute,
	"SearchTransitGatewayRoutes":           (*call).searchTransitGatewayRoutes,
	"DeleteRoute":                          (*call).deleteRoute,
	"EnableVgwRoutePropagation":            (*call).enableVgwRoutePropagation,
	"DisableVgwRoutePropagation":           (*call).disableVgwRoutePropagation,
	"CreateTags":                           (*call).createTags,
	"DeleteTags":                           (*call).deleteTags,
}

// readForm reads the body and puts it back, so a middleware's Classify and
// the handler can both read it; query-string parameters count too (EC2
// accepts GET).
func readForm(r *http.Request) ([]byte, url.Values, error) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		_ = r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(b))
		if err != nil {
			return nil, nil, err
		}
		if len(b) > maxBody {
			return nil, nil, errors.New("request body too large")
		}
		body = b
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, nil, err
	}
	for k, v := range r.URL.Query() {
		form[k] = append(form[k], v...)
	}
	return body, form, nil
}

// Handler serves the EC2 Query protocol (no fault injection inside: wrap
// it with store.Middleware for that).
func (f *Frontend) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqID := f.requestID()
		body, form, err := readForm(r)
		if err != nil {
			// Not err's text: it quotes the body, which may hold a key.
			writeError(w, http.StatusBadRequest, "MalformedQueryString", "The request body is not a valid form", reqID)
			return
		}
		if len(f.o.Credentials) > 0 {
			if err := f.verify(r, body); err != nil {
				f.fail(w, err, reqID)
				return
			}
		}
		_, region := regionOf(r)
		c := &call{f: f, action: form.Get("Action"), region: region, form: form}
		handle, ok := actions[c.action]
		switch {
		case c.action == "":
			writeError(w, http.StatusBadRequest, "MissingAction", "The request must contain the parameter Action", reqID)
			return
		case !ok:
			writeError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The action %s is not valid for this web service.", c.action), reqID)
			return
		}
		if dry, err := c.boolean("DryRun"); err != nil || dry {
			if err == nil {
				err = &store.Error{Code: "DryRunOperation", HTTPStatus: http.StatusPreconditionFailed,
					Message: "Request would have succeeded, but DryRun flag is set."}
			}
			f.fail(w, err, reqID)
			return
		}
		out, err := handle(c)
		if err != nil {
			f.fail(w, err, reqID)
			return
		}
		writeReply(w, c.action, reqID, out)
	})
}

// fail writes err in EC2's error shape: store errors carry the EC2 code;
// anything else is a bug and answers InternalError.
func (f *Frontend) fail(w http.ResponseWriter, err error, reqID string) {
	var se *store.Error
	if errors.As(ec2Error(err, nil, ""), &se) {
		status := se.HTTPStatus
		if status == 0 || status == http.StatusNotFound || status == http.StatusConflict {
			status = http.StatusBadRequest // EC2 answers client errors with 400
		}
		writeError(w, status, se.Code, se.Message, reqID)
		return
	}
	writeError(w, http.StatusInternalServerError, "InternalError", "An internal error has occurred", reqID)
}

func (f *Frontend) requestID() string {
	n := f.reqs.Add(1)
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", uint32(n>>16), n)
}

// Classify names a request for fault injection: the op is the Action, and
// everything but Describe* mutates. It leaves r.Body readable.
func (f *Frontend) Classify(r *http.Request) (op string, mutating bool) {
	_, form, err := readForm(r)
	if err != nil {
		return "", false
	}
	op = form.Get("Action")
	return op, op != "" && !strings.HasPrefix(op, "Describe")
}

// Account is the throttling bucket of a request: access key id + "/" +
// region, as EC2 throttles per account and region.
func (f *Frontend) Account(r *http.Request) string {
	key, region := regionOf(r)
	return key + "/" + region
}

// WriteThrottle writes EC2's throttling reply, which the SDK retries as
// throttling.
func (f *Frontend) WriteThrottle(w http.ResponseWriter) {
	writeError(w, http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.", f.requestID())
}

// Write5xx writes a server error, alternating InternalError (500) and
// Unavailable (503), the two EC2 sends.
func (f *Frontend) Write5xx(w http.ResponseWriter) {
	if f.reqs.Load()%2 == 0 {
		writeError(w, http.StatusInternalServerError, "InternalError", "An internal error has occurred", f.requestID())
		return
	}
	writeError(w, http.StatusServiceUnavailable, "Unavailable", "The service is unavailable. Please try again shortly.", f.requestID())
}
