import { atomgit } from './atomgit.ts';
import { moltin } from './moltin.ts';
import type { ProfileName } from '../config/profile-names.ts';
import type { Profile } from './profile.ts';
import { redcore } from './redcore.ts';
import { twitch } from './twitch.ts';

export { PROFILE_NAMES, type ProfileName } from '../config/profile-names.ts';
export type { Profile } from './profile.ts';

/** Every migration profile, by name, in the order `latchkey profiles list` shows them. */
export const PROFILES: Readonly<Record<ProfileName, Profile>> = { redcore, twitch, moltin, atomgit };

/** The profiles a configuration switches on, once each, in configuration order. */
export const enabledProfiles = (names: readonly ProfileName[]): Profile[] => [...new Set(names)].map((n) => PROFILES[n]);
