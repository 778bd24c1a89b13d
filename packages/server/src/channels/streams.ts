/** Stream names, in one place so that publishers and channels agree. */
export const roomStream = (roomId: string): string => `room:${roomId}`;
export const userStream = (userId: string): string => `user:${userId}`;
