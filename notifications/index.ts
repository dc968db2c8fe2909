export {
  NotificationPolicyDisabledError,
  NotificationRejectedError,
  NotificationServerError,
  NotificationUnreachableError,
} from './notification-errors.js';
export {
  DriftPayload,
  FailureSummary,
  NotificationPayload,
  PingPayload,
  RunPayload,
  driftPayload,
  maxFailureSummaries,
  runPayload,
  summarizeFailures,
  type EndedRun,
} from './notification-payload.js';
export {
  notificationSignature,
  signatureHeader,
  timestampHeader,
  verifyNotificationSignature,
  type SignedDelivery,
} from './notification-signature.js';
export { postNotification, type OutgoingNotification } from './post-notification.js';
export { slackBody, slackText } from './slack-message.js';
