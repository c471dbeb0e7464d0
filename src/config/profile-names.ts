/**
 * The migration profiles a configuration may enable (docs/profiles.md). Declared here, beside the schema that accepts
 * them, so config imports nothing from the profiles (which import the core, which reads config types); each profile in
 * src/profiles/ registers under one of these names.
 */
export const PROFILE_NAMES = ['redcore', 'twitch', 'moltin', 'atomgit'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
