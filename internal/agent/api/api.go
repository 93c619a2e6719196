package api

import (
	"net/url"
	"time"
)

// Version prefixes every path; a breaking change gets a new one.
const Version = "v1"

// Object is one object the agent holds for a mesh. Its fields mirror
// plan.Object's: Key and Kind identify it, ID is the agent's name for it
// (the device, or the peer address), Attrs the configuration as flat strings.
type Object struct {
	Key   string            `json:"key"`
	Kind  string            `json:"kind"`
	ID    string            `json:"id,omitempty"`
	Attrs map[string]string `json:"attrs"`
}

// ObjectList is the reply to a list of a mesh's objects.
type ObjectList struct {
	Objects []Object `json:"objects"`
}

// Error is the body of every non-2xx reply.
type Error struct {
	Error string `json:"error"`
	// Retry says the request may succeed later unchanged (a dependency not
	// there yet, a busy subsystem).
	Retry bool `json:"retry,omitempty"`
}

// ObjectsPath lists (GET) or applies one object (PUT) of a mesh.
func ObjectsPath(mesh string) string {
	return "/" + Version + "/meshes/" + url.PathEscape(mesh) + "/objects"
}

// ObjectPath deletes one object (DELETE); keys hold '/' and '#', so the key
// travels as a query parameter.
func ObjectPath(mesh, key string) string {
	return ObjectsPath(mesh) + "?key=" + url.QueryEscape(key)
}

// StatusPath reports the host's live state.
const StatusPath = "/" + Version + "/status"

// Status is the host's live state: what a link looks like from this host.
type Status struct {
	Host     string    `json:"host"`
	Devices  []Device  `json:"devices"`
	Sessions []Session `json:"sessions"`
	Routes   []Route   `json:"routes"`
}

// Device is one WireGuard device. Only the public key ever leaves the host.
type Device struct {
	Name          string    `json:"name"`
	Kind          string    `json:"kind"` // kernel | userspace
	PublicKey     string    `json:"public_key"`
	ListenPort    int       `json:"listen_port"`
	Addresses     []string  `json:"addresses"`
	Up            bool      `json:"up"`
	PeerPublicKey string    `json:"peer_public_key,omitempty"`
	PeerEndpoint  string    `json:"peer_endpoint,omitempty"`
	LastHandshake time.Time `json:"last_handshake,omitzero"`
	RxBytes       int64     `json:"rx_bytes"`
	TxBytes       int64     `json:"tx_bytes"`
}

// Session is one BGP session.
type Session struct {
	PeerAddress string    `json:"peer_address"`
	PeerASN     uint32    `json:"peer_asn"`
	State       string    `json:"state"`
	Since       time.Time `json:"since,omitzero"`
	Received    int       `json:"received"`
	Accepted    int       `json:"accepted"`
	LinkAlive   bool      `json:"link_alive"`
}

// Route is one route the agent installed from a BGP best path.
type Route struct {
	Prefix  string `json:"prefix"`
	NextHop string `json:"next_hop"`
	Device  string `json:"device"`
}
