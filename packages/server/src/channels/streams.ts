/** Stream names, in one place so that publishers and channels agree. */
export const ROOM_STREAM_PREFIX = 'room:';
export const roomStream = (roomId: string): string => `${ROOM_STREAM_PREFIX}${roomId}`;
export const userStream = (userId: string): string => `user:${userId}`;
