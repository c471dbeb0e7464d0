// A relying party written with go-oidc v2 (Debian's golang-github-coreos-go-oidc-dev) and golang.org/x/oauth2
// (golang-golang-x-oauth2-dev), driven by test/interop/go-oidc.test.ts and built offline from Debian's GOPATH.
//
// Usage: go-oidc-rp ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI [--expect-nonce VALUE] [--pause-before-refresh]
//
//  1. oidc.NewProvider: discovery from ISSUER/.well-known/openid-configuration (OpenID Connect Discovery §4).
//  2. Prints one JSON line {"authorization_url": ...}: code flow with PKCE S256 (RFC 7636; x/oauth2 0.3.0 has no PKCE
//     helpers, so the parameters go in with SetAuthURLParam), state and nonce.
//  3. Reads the redirect URL from one line of stdin, checks state and iss (RFC 9207 §2.4), exchanges the code,
//     verifies the ID token (signature against jwks_uri, iss, aud, exp: Core §3.1.3.7), its nonce (go-oidc v2 leaves
//     that to the caller: "Verify does NOT do nonce validation") and at_hash, calls UserInfo, refreshes and verifies
//     the new ID token (Core §12.2).
//  4. Prints one JSON line with the summary; on failure one JSON line {"error": <step>, "message": ...} and exit 1.
//     --expect-nonce compares with VALUE instead of the nonce sent (the negative test). --pause-before-refresh prints
//     {"paused": true} before the refresh and waits for a line on stdin (the test rotates keys meanwhile, while the
//     verifier keeps the JWKS it cached). No token is ever printed.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	oidc "github.com/coreos/go-oidc"
	"golang.org/x/oauth2"
)

func emit(v interface{}) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func fail(step string, err error) {
	emit(map[string]string{"error": step, "message": err.Error()})
	os.Exit(1)
}

func random() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		fail("random", err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

type jwsHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

// header decodes a compact JWS's protected header (already verified by the caller).
func header(jws string) jwsHeader {
	var h jwsHeader
	if b, err := base64.RawURLEncoding.DecodeString(strings.Split(jws, ".")[0]); err == nil {
		_ = json.Unmarshal(b, &h)
	}
	return h
}

func main() {
	if len(os.Args) < 5 {
		fail("usage", fmt.Errorf("go-oidc-rp ISSUER CLIENT_ID CLIENT_SECRET REDIRECT_URI [--expect-nonce VALUE]"))
	}
	issuer, clientID, clientSecret, redirectURI := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	expectNonce, pause := "", false
	for i := 5; i < len(os.Args); i++ {
		switch os.Args[i] {
		case "--expect-nonce":
			if i+1 < len(os.Args) {
				expectNonce = os.Args[i+1]
				i++
			}
		case "--pause-before-refresh":
			pause = true
		}
	}
	stdin := bufio.NewReader(os.Stdin)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		fail("discovery", err)
	}
	var meta struct {
		Algs []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := provider.Claims(&meta); err != nil {
		fail("discovery", err)
	}
	// go-oidc v2 accepts only RS256 unless told otherwise: take the algorithms the provider advertises.
	verifier := provider.Verifier(&oidc.Config{ClientID: clientID, SupportedSigningAlgs: meta.Algs})
	conf := oauth2.Config{
		ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURI,
		Endpoint: provider.Endpoint(),
		Scopes:   []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess},
	}

	state, nonce, codeVerifier := random(), random(), random()
	challenge := sha256.Sum256([]byte(codeVerifier))
	emit(map[string]string{"authorization_url": conf.AuthCodeURL(state,
		oidc.Nonce(nonce),
		oauth2.SetAuthURLParam("code_challenge", base64.RawURLEncoding.EncodeToString(challenge[:])),
		oauth2.SetAuthURLParam("code_challenge_method", "S256"),
	)})

	line, err := stdin.ReadString('\n')
	if err != nil {
		fail("stdin", err)
	}
	redirect, err := url.Parse(strings.TrimSpace(line))
	if err != nil {
		fail("redirect", err)
	}
	q := redirect.Query()
	if q.Get("state") != state {
		fail("state", fmt.Errorf("state mismatch"))
	}
	if q.Get("iss") != issuer {
		fail("iss", fmt.Errorf("iss in the authorization response is not the issuer (RFC 9207)"))
	}

	token, err := conf.Exchange(ctx, q.Get("code"), oauth2.SetAuthURLParam("code_verifier", codeVerifier))
	if err != nil {
		fail("exchange", err)
	}
	rawID, _ := token.Extra("id_token").(string)
	idToken, err := verifier.Verify(ctx, rawID)
	if err != nil {
		fail("verify", err)
	}
	want := nonce
	if expectNonce != "" {
		want = expectNonce
	}
	if idToken.Nonce != want {
		fail("nonce", fmt.Errorf("the ID token's nonce is not the one sent (Core §3.1.3.7 step 11)"))
	}
	if err := idToken.VerifyAccessToken(token.AccessToken); err != nil {
		fail("at_hash", err)
	}
	var idClaims struct {
		AtHash string `json:"at_hash"`
	}
	_ = idToken.Claims(&idClaims)
	first := header(rawID)

	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(token))
	if err != nil {
		fail("userinfo", err)
	}
	var profile struct {
		Name string `json:"name"`
	}
	_ = info.Claims(&profile)

	if pause {
		emit(map[string]bool{"paused": true})
		if _, err := stdin.ReadString('\n'); err != nil {
			fail("stdin", err)
		}
	}

	// An expired copy makes the token source refresh now.
	refreshed, err := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: token.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		fail("refresh", err)
	}
	rawAgain, _ := refreshed.Extra("id_token").(string)
	again, err := verifier.Verify(ctx, rawAgain)
	if err != nil {
		fail("verify-refreshed", err)
	}

	emit(map[string]interface{}{
		"id_token": map[string]interface{}{
			"iss": idToken.Issuer, "sub": idToken.Subject, "aud": idToken.Audience, "nonce": idToken.Nonce,
			"at_hash": idClaims.AtHash != "", "alg": first.Alg, "kid": first.Kid,
		},
		"nonce_sent": nonce,
		"userinfo":   map[string]string{"sub": info.Subject, "name": profile.Name, "email": info.Email},
		"refresh": map[string]interface{}{
			"sub": again.Subject, "new_id_token": rawAgain != rawID, "new_access_token": refreshed.AccessToken != token.AccessToken,
			"kid": header(rawAgain).Kid,
		},
	})
}
