/** Time, injectable so tests can move it (expiry of requests, grants and tokens). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
