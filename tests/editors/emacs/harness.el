;;; harness.el --- Drive batch Emacs with Eglot through one scenario  -*- lexical-binding: t; -*-

;;; Commentary:

;; The user's side of the test: codex-lsp.el from editors/emacs set up as its README says,
;; then the file named by $CODEX_TEST_FILE visited, then the scenario.  `codex-test-wait'
;; spins `accept-process-output', so server messages and timers are processed as in an
;; interactive session and no step sleeps a fixed time.  Observations are written as JSON to
;; $CODEX_TEST_OUT for pytest to compare; a failure is written there too, with a non-zero exit.

;;; Code:

(require 'cl-lib)
(require 'json)

(add-to-list 'load-path (getenv "CODEX_EMACS_PLUGIN"))
(require 'codex-lsp)
(add-hook 'python-mode-hook #'eglot-ensure)

;; The user's customizations: a model every call must name, and no debounce pauses.
(setq codex-lsp-model "editor-test-model"
      codex-lsp-debounce-ms 0
      codex-lsp-diagnostics-debounce-ms 0)

(defvar codex-test--observed nil "Observations, an alist of (KEY . VALUE).")
(defvar codex-test--confirmations nil "Prompts Eglot asked the user to confirm.")

(defun codex-test-observe (key value)
  "Record VALUE under KEY (a string) for the Python side to compare."
  (setf (alist-get key codex-test--observed nil nil #'equal) value))

(defun codex-test--finish (&optional error)
  "Write the observations (and ERROR, if any), then exit.
Eglot's log of the JSON-RPC exchange goes to $CODEX_TEST_EVENTS for failure reports."
  (let ((server (ignore-errors (car codex-lsp--servers))))
    (when (and server (getenv "CODEX_TEST_EVENTS"))
      (with-current-buffer (jsonrpc-events-buffer server)
        (write-region nil nil (getenv "CODEX_TEST_EVENTS") nil 'silent))))
  (with-temp-file (getenv "CODEX_TEST_OUT")
    (insert (json-encode `(("observed" . ,(or codex-test--observed (make-hash-table)))
                           ,@(and error `(("error" . ,error)))))))
  (kill-emacs (if error 1 0)))

(defun codex-test-wait (what predicate &optional timeout)
  "Return PREDICATE's first non-nil value; fail naming WHAT after TIMEOUT s."
  (let ((deadline (+ (float-time) (or timeout 15)))
        value)
    (while (not (setq value (funcall predicate)))
      (when (> (float-time) deadline)
        (error "Timed out waiting for %s" what))
      (accept-process-output nil 0.02))
    value))

(defun codex-test-json (value)
  "VALUE as Eglot puts it on the wire, as a JSON string."
  (json-serialize value :false-object :json-false :null-object nil))

(defun codex-test-text ()
  "The current buffer's text."
  (buffer-substring-no-properties (point-min) (point-max)))

(defun codex-test-start ()
  "Visit $CODEX_TEST_FILE and wait until Eglot manages it with codex-lsp."
  (find-file (getenv "CODEX_TEST_FILE"))
  ;; Batch Emacs runs no command loop: run the hook eglot-ensure waits for.
  (run-hooks 'post-command-hook)
  (codex-test-wait "Eglot to connect"
                   (lambda () (and (eglot-managed-p)
                                   (cl-typep (eglot-current-server) 'codex-lsp-server)))))

(defmacro codex-test-run (&rest body)
  "Run BODY as the scenario; its observations or its error end the session."
  `(condition-case err
       (progn ,@body (codex-test--finish))
     (error (codex-test--finish (error-message-string err)))))

;; A user answering "y" when Eglot asks to confirm a server-initiated edit.
(advice-add 'y-or-n-p :override
            (lambda (prompt &rest _)
              (push (substring-no-properties prompt) codex-test--confirmations)
              t))

(defun codex-test-candidates ()
  "The completions Eglot offers at the end of the line with the unfinished return."
  (goto-char (point-min))
  (forward-line 5)
  (end-of-line)
  (vconcat (all-completions "" (nth 2 (eglot-completion-at-point)))))

(provide 'harness)
;;; harness.el ends here
