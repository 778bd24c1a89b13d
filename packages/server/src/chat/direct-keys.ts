/**
 * A direct room's key (`rooms.direct_key`, unique): the pair's user ids, sorted and joined, so
 * that a pair has one room whoever opens it. One's own notes-to-self room is the person twice.
 */
export const directKey = (a: string, b: string): string => [a, b].sort().join(':');
export const selfKey = (userId: string): string => directKey(userId, userId);
