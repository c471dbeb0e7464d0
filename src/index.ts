/** The package's public API: embed Latchkey, load its configuration, or verify its tokens in your own API. */
export { buildLatchkey, type BuildOptions, type Latchkey } from './main.ts';
export { ConfigError, configWarnings, loadConfig, parseConfig, type ConfigSources } from './config/load.ts';
export type { Config, ConfigInput } from './config/schema.ts';
export {
  IntrospectionError,
  TokenVerificationError,
  createVerifier,
  protectedResourceMetadata,
  requireToken,
  resourceMetadataUrl,
  tokenMiddleware,
  type McpAuthInfo,
  type RequireTokenOptions,
  type ResourceMetadata,
  type ResourceMetadataOptions,
  type TokenErrorCode,
  type TokenFormat,
  type TokenRequest,
  type VerifiedToken,
  type Verifier,
  type VerifierOptions,
  type VerifyOptions,
} from './resource/verify.ts';
