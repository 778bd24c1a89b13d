import type { TwilioFake } from '../../../server/test/helpers/twilio-fake.js';

/** A person signed in on a node, and the token their clients use on every node. */
export interface Account {
  id: string;
  token: string;
  name: string;
}

/** A JSON request; throws with the status and body unless it answers 2xx. */
export async function json<T>(
  url: string,
  method: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${String(res.status)} ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

let phoneN = 0;
/** Signs a new person in through the real OTP flow (codes read from the Twilio fake). */
export async function signIn(baseUrl: string, sms: TwilioFake, name: string): Promise<Account> {
  const phone = `+1415${String(5000000 + ((process.pid * 31 + ++phoneN) % 4000000)).slice(-7)}`;
  await json(`${baseUrl}/api/auth/otp`, 'POST', { phone });
  const code = await sms.nextCode(phone);
  const r = await json<{ token: string; user: { id: string } }>(
    `${baseUrl}/api/auth/verify`,
    'POST',
    { phone, code },
  );
  return { id: r.user.id, token: r.token, name };
}

/** A group owned by the first account with the others as members; resolves with its id. */
export async function createGroup(baseUrl: string, people: readonly Account[]): Promise<string> {
  const [owner, ...rest] = people;
  if (!owner) throw new Error('a group needs an owner');
  const r = await json<{ room: { id: string } }>(
    `${baseUrl}/api/rooms`,
    'POST',
    { name: 'Faults', members: rest.map((p) => p.id) },
    owner.token,
  );
  return r.room.id;
}
