import type { SalonClient } from '@salon/client';
import type { KnownPerson } from '../lib/member-refs.js';
import { createContext, useCallback, useContext, useSyncExternalStore } from 'react';
import type { ConnectionStatus, RoomSummary, UserView } from '../sdk.js';

export const ClientContext = createContext<SalonClient | null>(null);

/** The app's one SalonClient (provided by main.tsx). */
export function useClient(): SalonClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient() outside <ClientContext>');
  return client;
}

/** The live connection's state and transport. */
export function useConnectionStatus(): ConnectionStatus {
  const client = useClient();
  const subscribe = useCallback((onChange: () => void) => client.onStatus(onChange), [client]);
  return useSyncExternalStore(subscribe, () => client.status);
}

/** Every conversation of the signed-in user, newest activity first, live. */
export function useRooms(): readonly RoomSummary[] {
  const client = useClient();
  const subscribe = useCallback((onChange: () => void) => client.onRooms(onChange), [client]);
  return useSyncExternalStore(subscribe, () => client.rooms);
}

/** The signed-in user as the SDK has it now (a profile change shows at once). */
export function useMe(): UserView | null {
  const client = useClient();
  const subscribe = useCallback((onChange: () => void) => client.onMe(onChange), [client]);
  return useSyncExternalStore(subscribe, () => client.me);
}

/** People the app knows by name: DM partners (to add to groups by name). */
export function useKnownPeople(): KnownPerson[] {
  const rooms = useRooms();
  return rooms.flatMap((room) => (room.other ? [room.other] : []));
}
