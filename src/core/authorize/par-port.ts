/**
 * What pushed authorization requests (RFC 9126) and request objects (RFC 9101) need from storage, implemented in
 * storage/kysely/pushed-requests.ts. In the database, not in memory, so a request_uri pushed to one node is used on
 * another and a jti seen by one node is refused by every other.
 */
export interface PushedRequest {
  /** SHA-256 of the request_uri: the URI is a bearer reference to the request, so only its hash is stored. */
  hash: string;
  clientId: string;
  /** The validated authorization request parameters, as JSON (request objects already unpacked). */
  params: string;
  /** Whether the parameters came from a signed request object (RFC 9101), for require_signed_request_object. */
  signed: boolean;
  expiresAt: number;
}

export interface PushedRequestsStore {
  push(request: PushedRequest): Promise<void>;
  /**
   * RFC 9126 §4: a request_uri is used once, by its own client. Deletes and returns the live request of `clientId`
   * in one statement (`DELETE ... RETURNING`): of two racing callers exactly one gets it. Undefined when unknown,
   * used, expired or another client's (which then stays usable by its own client).
   */
  consume(hash: string, clientId: string, now: number): Promise<PushedRequest | undefined>;
}

export interface RequestObjectJtiStore {
  /**
   * RFC 9101 §10.8 (replay): records the jti of a request object of `clientId` until `expiresAt`. False when it
   * was already recorded and has not expired: the object is a replay. Atomic: of two racing callers one gets true.
   */
  record(clientId: string, jti: string, expiresAt: number, now: number): Promise<boolean>;
}
