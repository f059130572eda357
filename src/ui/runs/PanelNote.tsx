// The one-line note a panel shows after an action (an import's count, a failed export): muted, or an alert on error.

export interface Note {
  text: string;
  error?: boolean;
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function PanelNote({ note, testId }: { note: Note | undefined; testId: string }) {
  if (!note) return null;
  return (
    <p className={note.error ? 'error' : 'muted'} role={note.error ? 'alert' : 'status'} data-testid={testId}>
      {note.text}
    </p>
  );
}
