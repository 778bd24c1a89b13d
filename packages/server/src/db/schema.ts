import type { Generated } from 'kysely';

/**
 * Table types. Times are integer milliseconds since the Unix epoch (the same on SQLite and
 * PostgreSQL `bigint`); ids are random UUID strings so that any node can make them.
 */
export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  otp_codes: OtpCodesTable;
}

export interface UsersTable {
  id: string;
  /** E.164, unique. */
  phone: string;
  name: string | null;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  /** SHA-256 of the bearer token, hex. The token itself is never stored. */
  token_hash: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  user_agent: string | null;
}

export interface OtpCodesTable {
  /** E.164: one live code per number; a new code replaces the old one. */
  phone: string;
  /** HMAC-SHA-256(secret, phone:code), hex. */
  code_hash: string;
  created_at: number;
  expires_at: number;
  attempts: Generated<number>;
}
