/**
 * A short "Firefox on Linux" for a user agent, so a person can tell their sessions apart. Deliberately small: the
 * common browsers and systems, checked in an order that handles their borrowed tokens (Edge and Opera also say
 * Chrome and Safari; Chrome says Safari; Android says Linux; iOS says "like Mac OS X"). Anything else is
 * "Unknown browser", except a short plain program name (curl/8.5.0 -> curl): the header is never echoed as is.
 */

const BROWSERS: readonly [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Headless)?Chrom(?:e|ium)\/|\bCriOS\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const SYSTEMS: readonly [RegExp, string][] = [
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

const UNKNOWN = 'Unknown browser';

export function browserSummary(userAgent: string | null | undefined): string {
  if (!userAgent) return UNKNOWN;
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser) return system ? `${browser} on ${system}` : browser;
  // A command-line client names itself first: "curl/8.5.0", "node". Only a short, plain name is shown.
  const program = /^([A-Za-z][A-Za-z0-9._-]{0,30})(?:\/\S*)?(?:\s|$)/.exec(userAgent)?.[1];
  if (program && program !== 'Mozilla') return program;
  return system ? `A browser on ${system}` : UNKNOWN;
}
