import type { NotificationPayload } from './notification-payload.js';

/** Slack's mrkdwn needs `&`, `<` and `>` escaped; everything else is shown as written. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A link when the URL is absolute (REGATTA_PUBLIC_URL or the default), else nothing. */
function link(url: string, label: string): string {
  return /^https?:\/\//.test(url) ? `\n<${escape(url)}|${label}>` : '';
}

/** The one line (and a few more) a person reads in a Slack channel. */
export function slackText(payload: NotificationPayload): string {
  switch (payload.type) {
    case 'run_failed':
    case 'run_succeeded': {
      const { execution, policy, source, sites } = payload;
      const verb = payload.type === 'run_failed' ? ':x: failed' : ':white_check_mark: succeeded';
      const route = `${escape(source.name)} → ${sites.map((site) => escape(site.name)).join(', ')}`;
      const lines = [
        `Regatta: run #${execution.id} of *${escape(policy.name)}* ${verb} (${route}): ${escape(execution.status_text)}`,
        ...payload.failures.map(
          (failure) =>
            `• ${escape(failure.site)}: ${failure.code} ×${failure.tasks}, e.g. ${escape(failure.example)}: ${escape(failure.message)}`,
        ),
      ];
      if (payload.failures_truncated) lines.push('• and more');
      return lines.join('\n') + link(execution.url, 'Open the run');
    }
    case 'drift_detected':
    case 'drift_cleared': {
      const { drift, policy, site } = payload;
      const head =
        payload.type === 'drift_detected'
          ? `:warning: Regatta: *${escape(site.name)}* drifts from *${escape(policy.name)}*: ` +
            `${drift.missing} missing, ${drift.different} different, ${drift.extra} extra, ${drift.unservable} unservable; ` +
            `recovery point ${drift.recovery_point_seconds} s`
          : `:large_green_circle: Regatta: *${escape(site.name)}* is in sync with *${escape(policy.name)}* again`;
      return head + link(payload.url, 'Newest audit');
    }
    case 'ping':
      return `Regatta: a test of notification policy *${escape(payload.notification_policy.name)}*`;
  }
}

/** The body a Slack incoming webhook takes. */
export function slackBody(payload: NotificationPayload): string {
  return JSON.stringify({ text: slackText(payload) });
}
