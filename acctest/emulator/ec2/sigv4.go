package ec2

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/crosslink-net/terraform-provider-crosslink/acctest/emulator/store"
)

// defaultRegion serves requests that carry no SigV4 credential scope.
const defaultRegion = "us-east-1"

// auth is the parsed SigV4 Authorization header.
type auth struct {
	accessKey, date, region, service string
	signedHeaders                    []string
	signature                        string
}

// parseAuth reads "AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/ec2/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=…".
func parseAuth(h string) (auth, bool) {
	rest, ok := strings.CutPrefix(h, "AWS4-HMAC-SHA256 ")
	if !ok {
		return auth{}, false
	}
	var a auth
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			f := strings.Split(v, "/")
			if len(f) != 5 || f[4] != "aws4_request" {
				return auth{}, false
			}
			a.accessKey, a.date, a.region, a.service = f[0], f[1], f[2], f[3]
		case "SignedHeaders":
			a.signedHeaders = strings.Split(v, ";")
		case "Signature":
			a.signature = v
		}
	}
	return a, a.accessKey != "" && a.region != "" && a.signature != ""
}

// regionOf returns the credential scope's access key and region.
func regionOf(r *http.Request) (accessKey, region string) {
	if a, ok := parseAuth(r.Header.Get("Authorization")); ok {
		return a.accessKey, a.region
	}
	return "", defaultRegion
}

// verify recomputes the request's signature with the secret of its access
// key: the signer is the SDK's own, fed only the headers the client said
// it signed (a transport adds others, such as Accept-Encoding, later).
func (f *Frontend) verify(r *http.Request, body []byte) error {
	a, ok := parseAuth(r.Header.Get("Authorization"))
	if !ok {
		return authErr(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
	}
	secret, known := f.o.Credentials[a.accessKey]
	if !known {
		return authErr(http.StatusUnauthorized, "AuthFailure", "AWS was not able to validate the provided access credentials")
	}
	mismatch := authErr(http.StatusForbidden, "SignatureDoesNotMatch",
		"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || when.Format("20060102") != a.date || !slices.Contains(a.signedHeaders, "host") {
		return mismatch
	}
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	req, err := http.NewRequest(r.Method, u.String(), nil)
	if err != nil {
		return mismatch
	}
	for _, h := range a.signedHeaders {
		switch h {
		case "host":
		case "content-length":
			req.ContentLength = r.ContentLength
		default:
			req.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: a.accessKey, SecretAccessKey: secret, SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), a.service, a.region, when); err != nil {
		return mismatch
	}
	want, _ := parseAuth(req.Header.Get("Authorization"))
	if subtle.ConstantTimeCompare([]byte(want.signature), []byte(a.signature)) != 1 {
		return mismatch
	}
	return nil
}

func authErr(status int, code, msg string) *store.Error {
	return &store.Error{Code: code, Message: msg, HTTPStatus: status}
}
