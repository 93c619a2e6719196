package gce

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

const maxBody = 4 << 20

// readBody decodes a request body strictly, as GCE does: an unknown field
// or a wrong type is a 400. It also returns the raw bytes (PATCH needs to
// know which fields were sent).
func readBody(r *http.Request, m proto.Message) ([]byte, *apiError) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(b) > maxBody {
		return nil, errorf(http.StatusBadRequest, reasonInvalid, "Invalid JSON payload received: the body could not be read.")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	if err := protojson.Unmarshal(b, m); err != nil {
		return nil, errorf(http.StatusBadRequest, reasonInvalid, "Invalid JSON payload received. %v", err)
	}
	return b, nil
}

// toDoc turns a message into the JSON document the store keeps. Numbers
// stay json.Number so 64-bit values survive the round trip.
func toDoc(m proto.Message) (map[string]any, error) {
	b, err := protojson.Marshal(m)
	if err != nil {
		return nil, err
	}
	return jsonDoc(b)
}

func jsonDoc(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	doc := map[string]any{}
	if err := d.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// fromDoc fills m from a stored document; fields m does not know (our
// private ones) are skipped.
func fromDoc(doc map[string]any, m proto.Message) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return protojson.UnmarshalOptions{DiscardUnknown: true}.Unmarshal(b, m)
}
