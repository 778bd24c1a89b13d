import {
  OtpRequestBody,
  OtpVerifyBody,
  UpdateMeBody,
  type MeResponse,
  type MeView,
  type UserView,
  type VerifyResponse,
} from '@salon/protocol';
import type { FastifyInstance } from 'fastify';
import type { Publisher } from '../broker/broker.js';
import type { User } from '../db/schema.js';
import type { Db } from '../db/database.js';
import { validate } from '../http/validate.js';
import type { OtpService } from './otp-service.js';
import { clearSessionCookie, requireAuth, setSessionCookie } from './request-auth.js';
import type { SessionService } from './session-service.js';

export interface AuthRoutesDeps {
  db: Db;
  otp: OtpService;
  sessions: SessionService;
  /** Revocation reaches the session's connections on every node as a control command. */
  publisher: Publisher;
  /** Tells the people who can see the user's name that it changed. */
  onRenamed?: (userId: string) => Promise<void>;
  sessionTtlDays: number;
}

export function userView(u: Pick<User, 'id' | 'phone' | 'name'>): UserView {
  return { id: u.id, phone: u.phone, name: u.name };
}

/** The signed-in person's own view: their record and their settings. */
export function meView(u: Pick<User, 'id' | 'phone' | 'name' | 'group_adds'>): MeView {
  return { ...userView(u), group_adds: u.group_adds };
}

/** Phone sign-in (`/api/auth/*`) and the signed-in user's own record (`/api/me`). */
export function authRoutes(app: FastifyInstance, deps: AuthRoutesDeps): void {
  const { otp, sessions, db } = deps;
  const authenticated = { preHandler: requireAuth(sessions) };

  app.post('/api/auth/otp', async (request, reply) => {
    const body = validate(OtpRequestBody, request.body);
    await otp.request(body.phone, request.ip);
    // Same answer whether or not the number has an account: no enumeration of users.
    return reply.status(202).send({ status: 'sent' });
  });

  app.post('/api/auth/verify', async (request, reply) => {
    const body = validate(OtpVerifyBody, request.body);
    const phone = await otp.verify(body.phone, body.code, request.ip);
    const { token, user } = await sessions.signIn(phone, request.headers['user-agent']);
    setSessionCookie(
      reply,
      request,
      token,
      new Date(Date.now() + deps.sessionTtlDays * 86_400_000),
    );
    const res: VerifyResponse = { token, user: meView(user) };
    return reply.status(200).send(res);
  });

  app.post('/api/auth/logout', authenticated, async (request, reply) => {
    await sessions.revoke(request.auth.session.id);
    deps.publisher.control({ type: 'close_session', session_id: request.auth.session.id });
    clearSessionCookie(reply, request);
    return reply.status(204).send();
  });

  app.get('/api/me', authenticated, (request): MeResponse => ({
    user: meView(request.auth.user),
  }));

  app.patch('/api/me', authenticated, async (request): Promise<MeResponse> => {
    const body = validate(UpdateMeBody, request.body);
    const changes = {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.group_adds !== undefined ? { group_adds: body.group_adds } : {}),
    };
    await db.updateTable('users').set(changes).where('id', '=', request.auth.user.id).execute();
    const user = { ...request.auth.user, ...changes };
    if (body.name !== undefined) await deps.onRenamed?.(user.id);
    return { user: meView(user) };
  });
}
