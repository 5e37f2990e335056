import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { errorText } from "../api/client.ts";
import { useSession } from "../context.ts";
import { PERMISSION_REASON_ID } from "../permissions.ts";

export interface ActionButtonProps {
  /** The button's text, and the confirmation's (`Stop task`). */
  label: string;
  /** What will happen, in a sentence, asked before it does. */
  question: ComponentChildren;
  /** The ECS call, as a script would make it. */
  run: () => Promise<unknown>;
  /** After success: read the view again at once. */
  onDone?: () => void;
  danger?: boolean;
  disabled?: boolean;
}

/**
 * A change to the fleet: a button, then a modal confirmation (a native <dialog>: focus moves
 * into it, Escape cancels, focus comes back), then the call. A failure stays in the dialog as
 * ECS worded it. With a key that may change nothing the button is disabled and points to why.
 */
export function ActionButton({ label, question, run, onDone, danger, disabled }: ActionButtonProps) {
  const { permission } = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const open = () => {
    setError(undefined);
    dialog.current?.showModal();
  };
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await run();
      dialog.current?.close();
      onDone?.();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button
        type="button"
        class={danger ? "danger" : undefined}
        disabled={!permission.canChange || disabled}
        aria-describedby={permission.canChange ? undefined : PERMISSION_REASON_ID}
        title={permission.reason}
        onClick={open}
      >
        {label}
      </button>
      <dialog ref={dialog} aria-label={label}>
        <p>{question}</p>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        <div class="buttons">
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
          <button type="button" class={danger ? "danger" : "primary"} disabled={busy} onClick={confirm}>
            {busy ? "Working…" : label}
          </button>
        </div>
      </dialog>
    </>
  );
}
