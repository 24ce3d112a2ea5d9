/**
 * Environment of the post fan-out example's consumers: written by `PostConsumersStack`
 * (lib/examples/post-consumers-stack.ts) and read by the handlers through these names only.
 */
export const PostEnv = {
  /** Rewards already given, one per post (post-recruitment). */
  REWARDS_TABLE: 'REWARDS_TABLE',
  /** Bean balances per author (post-recruitment). */
  BALANCES_TABLE: 'BALANCES_TABLE',
  /** Posts per user and category (post-second-hand). */
  USER_STATISTICS_TABLE: 'USER_STATISTICS_TABLE',
  /** Pinned real-estate posts (post-real-estate). */
  PINNED_POSTS_TABLE: 'PINNED_POSTS_TABLE',
  /** Post ids with this prefix fail on purpose, to show dead-lettering (post-real-estate). */
  REJECT_POST_ID_PREFIX: 'REJECT_POST_ID_PREFIX',
} as const;

/** Who writes these variables, named in a missing variable's error. */
export const POST_ENV_WRITER = 'the PostConsumersStack';
