/** What the HTTP API answers about people and sign-in: types and constants, no zod. */

/** Who may add a person to groups directly; others' additions arrive as invitations to accept. */
export const GROUP_ADDS = ['everyone', 'contacts'] as const;
export type GroupAdds = (typeof GROUP_ADDS)[number];

export interface UserView {
  id: string;
  phone: string;
  name: string | null;
}

/** The signed-in person, with their own settings. */
export interface MeView extends UserView {
  group_adds: GroupAdds;
}

export interface VerifyResponse {
  token: string;
  user: MeView;
}

export interface MeResponse {
  user: MeView;
}
