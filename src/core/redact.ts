// Credentials never reach a file, a log line, the output channel or an error message: URLs lose
// their user:password, bearer tokens and secret-looking arguments lose their values. One function per
// shape, used by every writer (meta.json, report, logs, describeError).

import type { TargetInfo } from './types';

export const REDACTED = '[redacted]';

/** Option names whose value is a secret: --token, --api-key, --password, --client-secret, --auth... */
const SECRET_NAME =
  /(pass(word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|auth(orization)?|credentials?|cookie|session[-_]?id)$/i;
/** Environment-style assignments: AWS_SECRET_ACCESS_KEY=…, GITHUB_TOKEN=…, DB_PASSWORD=…, X_KEY=… */
const SECRET_ENV =
  /^([A-Za-z_][A-Za-z0-9_]*(_KEY|_TOKEN|_SECRET|_PASSWORD|_PASSWD|_PWD|_CREDENTIALS?|_AUTH)|PASSWORD|TOKEN|SECRET)=/;

/** `scheme://user:pass@host` → `scheme://[redacted]@host`, anywhere in a text. */
function redactUrlCredentials(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:'"<>]*(?::[^\s/@'"<>]*)?@/gi, `$1${REDACTED}@`);
}

/** A text (log line, error message) with URL credentials, bearer/basic values and secret=… removed. */
export function redactText(text: string): string {
  return redactUrlCredentials(text)
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g, `$1 ${REDACTED}`)
    .replace(/(\bAuthorization\s*[:=]\s*)(?!Bearer\b|Basic\b)[^\s,;'"]+/gi, `$1${REDACTED}`)
    .replace(/([?&](?:access_token|token|api[-_]?key|password|secret|auth)=)[^&\s'"]+/gi, `$1${REDACTED}`);
}

/** A URL without user:password (the URL text itself when it does not parse). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return redactText(url);
    parsed.username = '';
    parsed.password = '';
    return redactText(parsed.toString());
  } catch {
    return redactText(url);
  }
}

/**
 * A command line as it may be recorded: `--token=…`, `--password …`, `FOO_KEY=…` keep their name and
 * lose their value; URLs lose their credentials. The command itself stays readable.
 */
export function redactArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  let hideNext = false;
  for (const arg of argv) {
    if (hideNext) {
      hideNext = false;
      // `--no-auth --port 3000`: a flag without a value; the next option is not its value.
      if (!arg.startsWith('-')) {
        out.push(REDACTED);
        continue;
      }
    }
    const option = /^(-{1,2}[A-Za-z0-9][A-Za-z0-9_.-]*)(=(.*))?$/s.exec(arg);
    if (option && SECRET_NAME.test(option[1])) {
      if (option[2] !== undefined) out.push(`${option[1]}=${REDACTED}`);
      else {
        out.push(arg);
        hideNext = true;
      }
      continue;
    }
    const env = SECRET_ENV.exec(arg);
    if (env) {
      out.push(`${arg.slice(0, arg.indexOf('=') + 1)}${REDACTED}`);
      continue;
    }
    out.push(redactText(arg));
  }
  return out;
}

/** Target info as it may be written (meta.json, report, logs): no credentials in URL or command. */
export function redactTarget(target: TargetInfo): TargetInfo {
  const out: TargetInfo = { ...target };
  if (out.inspectorUrl !== undefined) out.inspectorUrl = redactUrl(out.inspectorUrl);
  if (out.command !== undefined) out.command = redactArgs(out.command);
  if (out.title !== undefined) out.title = redactText(out.title);
  return out;
}
