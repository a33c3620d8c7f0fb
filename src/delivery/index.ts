/**
 * Webhook delivery: Standard Webhooks signing, the retry schedule and response classification
 * (pure), the SSRF policy (pure) and its connect-time guard, and the sender of one attempt.
 */
export {
  DEFAULT_TOLERANCE_SEC,
  SECRET_PREFIX,
  decodeSecret,
  generateSecret,
  sign,
  signatureHeader,
  verify,
  type GenerateSecretOptions,
  type HeaderSource,
  type SignInput,
  type VerifyFailureReason,
  type VerifyInput,
  type VerifyResult,
} from './signing.js';
export {
  DEFAULT_JITTER,
  DEFAULT_RETRY_SCHEDULE_MS,
  classifyStatus,
  nextDelay,
  parseRetryAfter,
  type RetryPolicy,
  type StatusVerdict,
} from './retry.js';
export {
  checkAddress,
  networkContains,
  parseAllowedNetworks,
  parseCidr,
  parseIp,
  type AddressVerdict,
  type IpAddress,
  type Network,
} from './networks.js';
export {
  createGuardedConnector,
  createGuardedLookup,
  validateSubscriptionUrl,
  type Resolver,
  type UrlCheck,
  type ValidateUrlOptions,
} from './ssrf.js';
export {
  createWebhookSender,
  type DeliveryAttempt,
  type DeliveryKind,
  type DeliveryOutcome,
  type DeliveryTimeouts,
  type WebhookSender,
  type WebhookSenderOptions,
} from './sender.js';
