// Saves text (or bytes) as a file through the browser's download (a temporary object URL on a clicked link).

export function downloadText(filename: string, text: string | Uint8Array<ArrayBuffer>, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}

/** "masklab-runs-20250103-1405": a file name that sorts by time. */
export function exportBaseName(now = new Date()): string {
  const p = (n: number) => n.toString().padStart(2, '0');
  return `masklab-runs-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}`;
}
