import type { Person } from '../chat/chat-client.js';
import type { TestServer } from '../helpers/salon-server.js';
import type { Caller } from './matrix.js';
import type { MatrixRoom, People } from './matrix-world.js';

/** The credential one attempt presents. */
export type Credential =
  { kind: 'token'; token: string } | { kind: 'ticket'; ticket: string } | { kind: 'none' };

/** Everything a cell's probe needs: the server, the people, the room it acts on, who acts. */
export interface CellContext {
  server: TestServer;
  people: People;
  room: MatrixRoom;
  caller: Caller;
  /** The person acting: the caller's own, or the member for the session columns. */
  who: Person;
}

/** An HTTP cell's attempt: what it saw, as `allowed` or `<status> <code or reason>`. */
export type HttpProbe = (ctx: CellContext, cred: Credential) => Promise<string>;
