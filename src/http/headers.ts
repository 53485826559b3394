// Security headers for a JSON API: nothing here is meant to be framed, sniffed, cached or to run
// scripts — except the Swagger UI page, which needs its own scripts and styles. Every answer carries
// them, those of the HTTP layer too (src/http/problem.ts, the client-error handler in src/http/app.ts).
export function securityHeaders(url: string): Record<string, string> {
  const headers: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'strict-transport-security': 'max-age=31536000; includeSubDomains',
  };
  if (!url.startsWith('/docs')) {
    headers['content-security-policy'] = "default-src 'none'; frame-ancestors 'none'";
    headers['cache-control'] = 'no-store';
  }
  return headers;
}
