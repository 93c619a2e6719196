package agent

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/crosslink-net/terraform-provider-crosslink/internal/agent/api"
)

// maxBody bounds a request: an object is a few hundred bytes.
const maxBody = 1 << 20

// Handler serves the agent's API, unauthenticated: Main wraps it in
// Authenticated.
func (a *Agent) Handler() http.Handler {
	mux := http.NewServeMux()
	objects := "/" + api.Version + "/meshes/{mesh}/objects"
	mux.HandleFunc("GET "+objects, func(w http.ResponseWriter, r *http.Request) {
		objs, err := a.List(r.Context(), r.PathValue("mesh"))
		reply(w, a.log, api.ObjectList{Objects: objs}, err)
	})
	mux.HandleFunc("PUT "+objects, func(w http.ResponseWriter, r *http.Request) {
		var o api.Object
		dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&o); err != nil {
			reply(w, a.log, nil, badObject{"the request is not an object: " + err.Error()})
			return
		}
		if o.Key == "" || o.Kind == "" {
			reply(w, a.log, nil, badObject{"the object has no key or kind"})
			return
		}
		got, err := a.Put(r.Context(), r.PathValue("mesh"), o)
		reply(w, a.log, got, err)
	})
	mux.HandleFunc("DELETE "+objects, func(w http.ResponseWriter, r *http.Request) {
		key := r.URL.Query().Get("key")
		if key == "" {
			reply(w, a.log, nil, badObject{"the key parameter is missing"})
			return
		}
		err := a.Delete(r.Context(), r.PathValue("mesh"), key)
		if err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		reply(w, a.log, nil, err)
	})
	mux.HandleFunc("GET "+api.StatusPath, func(w http.ResponseWriter, r *http.Request) {
		st, err := a.Status(r.Context())
		reply(w, a.log, st, err)
	})
	return mux
}

func reply(w http.ResponseWriter, log *slog.Logger, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		code, retry := http.StatusInternalServerError, false
		var b badObject
		var r retryable
		switch {
		case errors.As(err, &b):
			code = http.StatusBadRequest
		case errors.As(err, &r):
			code, retry = http.StatusConflict, true
		}
		log.Warn("request failed", "status", code, "error", err)
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(api.Error{Error: err.Error(), Retry: retry})
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}

// TLSConfig is the server side of mutual TLS. It asks for a client
// certificate but leaves checking it to Authenticated: a refusal in the
// handshake reaches a TLS 1.3 client as a broken pipe, a refusal in HTTP as
// a reason it can show.
func TLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS13,
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAnyClientCert,
	}
}

// Authenticated lets a request through only when its client certificate
// chains to clientCA for client authentication.
func Authenticated(h http.Handler, clientCA *x509.CertPool, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := verifyClient(r, clientCA); err != nil {
			log.Warn("refused a client", "remote", r.RemoteAddr, "error", err)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_ = json.NewEncoder(w).Encode(api.Error{Error: "the agent refused the client certificate: " + err.Error()})
			return
		}
		h.ServeHTTP(w, r)
	})
}

func verifyClient(r *http.Request, pool *x509.CertPool) error {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return errors.New("no client certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range r.TLS.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := r.TLS.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		return fmt.Errorf("not signed by the CA this agent trusts (-client-ca): %w", err)
	}
	return nil
}

// Serve runs the API on addr until ctx ends.
func Serve(ctx context.Context, addr string, h http.Handler, tc *tls.Config, log *slog.Logger) error {
	srv := &http.Server{Addr: addr, Handler: h, TLSConfig: tc, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServeTLS("", "") }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving on %s: %w", addr, err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
