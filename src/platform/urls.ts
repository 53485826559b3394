/** The same server, another database; local servers get sslmode=disable (dbmate insists on it). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (!u.searchParams.has('sslmode') && /^(localhost|127\.0\.0\.1|\[::1\])$/.test(u.hostname)) {
    u.searchParams.set('sslmode', 'disable');
  }
  return u.toString();
}
