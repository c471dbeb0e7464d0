import type { JSONWebKeySet } from 'jose';
import type { Client } from '../model.ts';

/**
 * The port "the client's public keys", against which its request objects are verified (RFC 9101 §6.1: the keys the
 * client registered, `jwks` or `jwks_uri`). Undefined: the client has none, and its request objects are refused.
 * Built in main.ts (BuildOptions.clientKeys); the client's registered `jwks`/`jwks_uri` are its natural source.
 */
export type ClientKeySource = (client: Client) => Promise<JSONWebKeySet | undefined>;
