import type { Download } from '../api';

/** Hands a fetched file to the browser as a download (the API needs the bearer token, so no plain link). */
export function saveDownload({ blob, filename }: Download, fallback: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename ?? fallback;
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: some browsers start reading the blob only after click() returns.
  window.setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
