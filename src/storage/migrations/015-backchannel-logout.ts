import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/**
 * Back-Channel Logout 1.0 (issue 11): the durable outbox of logout tokens to send.
 * - backchannel_logouts: one row per (ended session, client that got tokens in it), written in the transaction that
 *   ends the session, so no crash between the two loses a logout. Scheduling times are wall-clock milliseconds (the
 *   delivery loop's timers), `lease_*` is the claim of one node (core/oidc/backchannel/port.ts).
 * - grants.sid indexed: ending a session looks up the clients that got grants in it.
 * - clients.backchannel_logout_session_required (Back-Channel Logout 1.0 §2.2): stored so a registration reads back as
 *   written; Latchkey always sends sid.
 * Portable DDL only, as in 001.
 */
export const backchannelLogout: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('backchannel_logouts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('sid', 'text', (c) => c.notNull())
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('client_id', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('lease_owner', 'text')
      .addColumn('lease_until_ms', 'bigint')
      .addColumn('finished_at_ms', 'bigint')
      // 'delivered' or 'failed' once finished.
      .addColumn('outcome', 'text')
      // Once per client and session, however many times the session is ended (two nodes, two requests).
      .addUniqueConstraint('backchannel_logouts_sid_client', ['sid', 'client_id'])
      .execute();
    await db.schema.createIndex('backchannel_logouts_due').on('backchannel_logouts').columns(['finished_at_ms', 'next_attempt_at_ms']).execute();
    await db.schema.createIndex('grants_sid').on('grants').column('sid').execute();
    await db.schema.alterTable('clients').addColumn('backchannel_logout_session_required', 'integer').execute();
  },
};
