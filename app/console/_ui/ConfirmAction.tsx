"use client";

import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import styles from "../console.module.css";
import { ErrorAlert } from "./Alert";

type Props = {
  /** Visible text of the button that opens the dialog. */
  label: string;
  /** Accessible name of that button when the visible text alone is ambiguous (e.g. "Remove https://…"). Starts with `label`. */
  accessibleName?: string;
  title: string;
  children: ReactNode;
  /** Text of the button that performs the action. */
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  compact?: boolean;
  disabled?: boolean;
  /** "caution": a consequential but not destructive action (rotating a secret) gets ordinary buttons, not red ones. */
  tone?: "danger" | "caution";
};

/**
 * A destructive (or otherwise weighty) action behind a modal <dialog>: the trigger opens it, Cancel (focused first, and
 * Escape) closes it, the confirm button runs the action and shows its error in the dialog.
 */
export function ConfirmAction({ label, accessibleName, title, children, confirmLabel, onConfirm, compact, disabled, tone = "danger" }: Props) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const triggerRef = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const titleId = useId();
  const bodyId = useId();
  const size = compact ? ` ${styles.compact}` : "";
  const [triggerClass, confirmClass] = tone === "danger" ? [styles.buttonDanger, `${styles.buttonDanger} ${styles.solid}`] : [styles.buttonSecondary, styles.button];

  // The dialog exists only while open, so closed dialogs leave no hidden duplicates in the page.
  useEffect(() => {
    if (!open) return;
    dialogRef.current?.showModal();
    cancelRef.current?.focus();
  }, [open]);

  function close() {
    dialogRef.current?.close();
  }

  async function confirm() {
    setPending(true);
    setError(null);
    try {
      await onConfirm();
      close();
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(false);
    }
  }

  return (
    <>
      <button
        ref={triggerRef}
        type="button"
        className={triggerClass + size}
        aria-label={accessibleName}
        aria-haspopup="dialog"
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
        disabled={disabled}
      >
        {label}
      </button>
      {open ? (
        <dialog
          ref={dialogRef}
          className={styles.dialog}
          aria-labelledby={titleId}
          aria-describedby={bodyId}
          onClose={() => {
            setOpen(false);
            triggerRef.current?.focus();
          }}
        >
          <h2 id={titleId}>{title}</h2>
          <div id={bodyId}>{children}</div>
          <ErrorAlert error={error} />
          <div className={styles.dialogActions}>
            <button ref={cancelRef} type="button" className={styles.buttonSecondary} onClick={close}>
              Cancel
            </button>
            <button type="button" className={confirmClass} onClick={confirm} disabled={pending}>
              {confirmLabel}
            </button>
          </div>
        </dialog>
      ) : null}
    </>
  );
}
